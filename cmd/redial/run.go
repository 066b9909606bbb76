package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redial-ws/redial/sdk"
)

// run is the whole command, minus signal wiring: it returns the exit status.
// When ctx ends it closes with 1000 and returns 130 (or 128+signal when the
// cause is a signalCause). A goroutine blocked reading stdin may outlive it
// (nothing can interrupt a read on os.Stdin); the process exits right after.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	errw := &syncWriter{w: stderr}
	cfg, err := parseArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usageText) // asked for: stdout, so "| less" works
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(errw, "redial: %s\n(redial --help lists the flags, with examples)\n", strings.TrimPrefix(err.Error(), errUsage.Error()+": "))
		return exitUsage
	}
	r := &runner{cfg: cfg, stdout: stdout, stderr: errw}
	return r.run(ctx, stdin)
}

type runner struct {
	cfg    *config
	stdout io.Writer
	stderr *syncWriter

	events      chan sdk.StateChange
	dialed      chan struct{} // closed when Dial returned
	conn        *sdk.Conn     // set before dialed is closed; nil if Dial failed
	printerDone chan struct{}
	opens       broadcast     // fires on every open, for a writer waiting out a full queue
	received    chan struct{} // a message arrived (buffered 1; for linger)

	tap          *tap        // with -P or --slash: the wire seen by the command
	userClosed   atomic.Bool // --slash /close was accepted: its close is a done, not a failure
	userCloseErr error       // what that Close returned; read after writeLoop ended
	wasOpen      bool        // a connection was open when the command closed it
}

func (r *runner) options() *sdk.Options {
	cfg := r.cfg
	o := &sdk.Options{
		Subprotocols: cfg.subprotocols,
		Header:       cfg.header,
		DialTimeout:  cfg.timeout,
		Backoff:      sdk.Backoff{Initial: cfg.minDelay, Max: cfg.maxDelay},
		MaxRetries:   cfg.maxRetries,
		// The callback runs on the SDK's event goroutine, which may block:
		// the buffer only keeps it from waiting on our printer.
		OnStateChange: func(e sdk.StateChange) { r.events <- e },
	}
	if cfg.heartbeat == 0 {
		o.NoHeartbeat = true
	} else {
		o.HeartbeatInterval = cfg.heartbeat
	}
	if cfg.noReconnect {
		o.Policy = func(sdk.RetryContext) (time.Duration, bool) { return 0, false }
	}
	if cfg.tls != nil {
		o.Native = &sdk.NativeOptions{TLSConfig: cfg.tls}
	}
	if cfg.showPing || cfg.slash {
		r.tap = &tap{show: cfg.showPing, say: r.say}
		u := strings.ToLower(cfg.url)
		useTLS := strings.HasPrefix(u, "wss:") || strings.HasPrefix(u, "https:")
		o.Native = &sdk.NativeOptions{HTTPClient: r.tap.httpClient(useTLS, cfg.tls)}
	}
	return o
}

func (r *runner) run(ctx context.Context, stdin io.Reader) int {
	r.events = make(chan sdk.StateChange, 256)
	r.dialed = make(chan struct{})
	r.printerDone = make(chan struct{})
	r.received = make(chan struct{}, 1)
	stopPrinter := make(chan struct{})
	if r.cfg.insecure {
		r.say("%s", insecureWarning)
	}
	go r.printEvents(stopPrinter)

	c, err := sdk.Dial(ctx, r.cfg.url, r.options())
	r.conn = c
	close(r.dialed)
	if err != nil {
		// Dial delivers every event before it fails: the printer only has
		// to empty the channel.
		close(stopPrinter)
		<-r.printerDone
		if ctx.Err() != nil {
			return r.interrupted(ctx)
		}
		return r.report(err)
	}

	readDone := make(chan error, 1)
	go func() { readDone <- r.readLoop(c) }()
	stdinDone := make(chan error, 1)
	if r.cfg.executeSet {
		xctx, stop := context.WithCancel(ctx)
		defer stop()
		go func() { stdinDone <- r.execute(xctx, c) }() // stdin is not read, as wscat -x
	} else {
		go func() { stdinDone <- r.writeLoop(ctx, c, stdin) }()
	}

	var final error
	select {
	case final = <-readDone: // a final close the app did not ask for
	case err := <-stdinDone:
		if errors.Is(err, errUserClosed) {
			r.wasOpen = true
			final = drain(r.userCloseErr, readDone)
			break
		}
		if err != nil {
			r.say("reading stdin: %v", err)
		}
		if r.cfg.wait > 0 && !r.cfg.executeSet {
			final = r.linger(ctx, readDone)
		}
		if final == nil {
			final = r.closeAndDrain(c, readDone)
		}
		if ctx.Err() != nil {
			<-r.printerDone
			return r.interrupted(ctx)
		}
		if err != nil {
			<-r.printerDone
			return exitFailure
		}
	case <-ctx.Done():
		_ = r.closeAndDrain(c, readDone)
		<-r.printerDone
		return r.interrupted(ctx)
	}
	<-r.printerDone // the StateClosed event always comes last
	return r.report(final)
}

// quietPeriod: after stdin ends, -wait ends early once nothing arrived for
// this long, so "echo hi | redial URL" prints the reply and exits at once.
const quietPeriod = 200 * time.Millisecond

// linger keeps printing after stdin ended until nothing arrived for
// quietPeriod, -wait passed, ctx ended, or the Conn ended (its final
// error is returned then).
func (r *runner) linger(ctx context.Context, readDone <-chan error) error {
	limit := time.NewTimer(r.cfg.wait)
	defer limit.Stop()
	quiet := time.NewTimer(min(quietPeriod, r.cfg.wait))
	defer quiet.Stop()
	for {
		select {
		case <-r.received:
			quiet.Reset(quietPeriod)
		case <-quiet.C:
			return nil
		case <-limit.C:
			return nil
		case final := <-readDone:
			return final
		case <-ctx.Done():
			return nil
		}
	}
}

// closeAndDrain closes with 1000 (after the SDK flushed the queue), then
// prints what still arrives until Read ends; it returns Read's final error,
// or Close's if messages were left unsent.
func (r *runner) closeAndDrain(c *sdk.Conn, readDone <-chan error) error {
	r.wasOpen = c.State() == sdk.StateOpen
	return drain(c.Close(sdk.StatusNormalClosure, ""), readDone)
}

// drain waits for the reader after a Close that returned cerr.
func drain(cerr error, readDone <-chan error) error {
	final := <-readDone
	var ue *sdk.UnsentError
	if errors.As(cerr, &ue) {
		return ue
	}
	return final
}

// broadcast is a channel closed (and replaced) on every fire.
type broadcast struct {
	mu sync.Mutex
	ch chan struct{}
}

func (b *broadcast) wait() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ch == nil {
		b.ch = make(chan struct{})
	}
	return b.ch
}

func (b *broadcast) fire() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ch != nil {
		close(b.ch)
	}
	b.ch = make(chan struct{})
}
