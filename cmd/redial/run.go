package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redial-ws/redial/sdk"
)

// Exit statuses; see the package comment.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitClosed      = 3
	exitHandshake   = 4
	exitRetries     = 5
	exitInterrupted = 130 // 128 + SIGINT
)

// signalCause is the cause main gives the context when a signal arrives.
type signalCause struct{ sig os.Signal }

func (s signalCause) Error() string { return "interrupted by " + s.sig.String() }

// run is the whole command, minus signal wiring: it returns the exit status.
// When ctx ends it closes with 1000 and returns 130 (or 128+signal when the
// cause is a signalCause). A goroutine blocked reading stdin may outlive it
// (nothing can interrupt a read on os.Stdin); the process exits right after.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	errw := &syncWriter{w: stderr}
	cfg, err := parseArgs(args, errw)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(errw, "redial: %s\n", strings.TrimPrefix(err.Error(), errUsage.Error()+": "))
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
}

func (r *runner) say(format string, args ...any) {
	fmt.Fprintf(r.stderr, "redial: "+format+"\n", args...)
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
	return o
}

func (r *runner) run(ctx context.Context, stdin io.Reader) int {
	r.events = make(chan sdk.StateChange, 256)
	r.dialed = make(chan struct{})
	r.printerDone = make(chan struct{})
	r.received = make(chan struct{}, 1)
	stopPrinter := make(chan struct{})
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
	go func() { stdinDone <- r.writeLoop(ctx, c, stdin) }()

	var final error
	select {
	case final = <-readDone: // a final close the app did not ask for
	case err := <-stdinDone:
		if err != nil {
			r.say("reading stdin: %v", err)
		}
		if r.cfg.wait > 0 {
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
	cerr := c.Close(sdk.StatusNormalClosure, "")
	final := <-readDone
	var ue *sdk.UnsentError
	if errors.As(cerr, &ue) {
		return ue
	}
	return final
}

func (r *runner) interrupted(ctx context.Context) int {
	var sc signalCause
	if errors.As(context.Cause(ctx), &sc) {
		if s, ok := sc.sig.(syscall.Signal); ok {
			name := map[syscall.Signal]string{syscall.SIGINT: "SIGINT", syscall.SIGTERM: "SIGTERM"}[s]
			if name == "" {
				name = s.String()
			}
			r.say("interrupted (%s): closed with 1000 normal closure", name)
			return 128 + int(s)
		}
	}
	r.say("interrupted: closed with 1000 normal closure")
	return exitInterrupted
}

// report words the error that ended the connection and maps it to the
// exit status.
func (r *runner) report(err error) int {
	var (
		ce  *sdk.CloseError
		he  *sdk.HandshakeError
		ue  *sdk.URLError
		oe  *sdk.OptionError
		use *sdk.UnsentError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &use):
		r.say("%s", trim(use))
		return exitFailure
	case errors.Is(err, sdk.ErrRetriesExhausted):
		retries := "retries"
		if r.cfg.maxRetries == 1 {
			retries = "retry"
		}
		r.say("gave up after %d %s (-max-retries); last error: %s", r.cfg.maxRetries, retries, describe(err, r.cfg))
		return exitRetries
	case errors.As(err, &he):
		r.say("%s", describe(he, r.cfg))
		return exitHandshake
	case errors.As(err, &ue), errors.As(err, &oe):
		r.say("%s", trim(err))
		return exitUsage
	case errors.As(err, &ce):
		r.say("%s", trim(ce))
		if ce.Code == sdk.StatusNormalClosure {
			return exitOK
		}
		return exitClosed
	}
	if r.conn != nil {
		r.say("connection lost for good: %s", describe(err, r.cfg))
	} else {
		r.say("cannot connect to %s: %s", sdk.RedactURL(r.cfg.url), describe(err, r.cfg))
	}
	return exitFailure
}

// readLoop prints every message until the final close, and returns it.
func (r *runner) readLoop(c *sdk.Conn) error {
	for {
		typ, p, err := c.Read(context.Background())
		if err != nil {
			return err
		}
		select {
		case r.received <- struct{}{}:
		default:
		}
		switch {
		case typ == sdk.MessageText:
			fmt.Fprintf(r.stdout, "%s\n", p)
		case r.cfg.hex:
			fmt.Fprintf(r.stdout, "%s\n", hex.EncodeToString(p))
		default:
			fmt.Fprintf(r.stdout, "<binary %d bytes>\n", len(p))
		}
	}
}

// writeLoop sends each stdin line as a text message. It returns nil at EOF,
// the read error otherwise, and nil once the Conn is closed for good (the
// reader reports why).
func (r *runner) writeLoop(ctx context.Context, c *sdk.Conn, stdin io.Reader) error {
	br := bufio.NewReaderSize(stdin, 64<<10)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
			if !r.send(ctx, c, line) {
				return nil
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// send queues one message. While the connection is down and the queue is
// full it waits for the next open instead of dropping the line. It reports
// false once the Conn is closed for good.
func (r *runner) send(ctx context.Context, c *sdk.Conn, line string) bool {
	for {
		opened := r.opens.wait()
		err := c.Write(ctx, sdk.MessageText, []byte(line))
		switch {
		case err == nil:
			return true
		case errors.Is(err, sdk.ErrQueueFull):
			select {
			case <-opened:
				continue
			case <-ctx.Done():
				return false
			}
		case errors.Is(err, sdk.ErrMessageTooBig):
			r.say("line not sent: %s", trim(err))
			return true
		default: // closed, or ctx ended
			return false
		}
	}
}

// printEvents words every state change on stderr, in order. It ends after
// the final StateClosed event, or, once stop is closed, when the channel is
// empty.
func (r *runner) printEvents(stop <-chan struct{}) {
	defer close(r.printerDone)
	for {
		select {
		case e := <-r.events:
			if r.printEvent(e) {
				return
			}
		case <-stop:
			for {
				select {
				case e := <-r.events:
					if r.printEvent(e) {
						return
					}
				default:
					return
				}
			}
		}
	}
}

// printEvent reports true for the last event of a Conn.
func (r *runner) printEvent(e sdk.StateChange) (last bool) {
	switch e.To {
	case sdk.StateOpen:
		<-r.dialed // the first open comes before Dial has returned the Conn
		var hs sdk.Handshake
		if r.conn != nil {
			hs = r.conn.Handshake()
		}
		if hs.URL == "" {
			hs.URL = r.cfg.url
		}
		if r.cfg.verbose && r.conn != nil {
			r.printHandshake(hs)
		}
		details := []string{sdk.RedactURL(hs.URL)}
		if hs.Subprotocol != "" {
			details = append(details, "subprotocol "+subprotocol(hs.Subprotocol))
		}
		if e.Attempt > 0 {
			details = append(details, fmt.Sprintf("attempt %d", e.Attempt))
		}
		r.say("open (%s)", strings.Join(details, ", "))
		r.opens.fire()
	case sdk.StateReconnecting:
		r.say("reconnecting in %s (attempt %d, %s)", roundDelay(e.Delay), e.Attempt, describe(e.Err, r.cfg))
	case sdk.StateClosed:
		return true // run words the final cause, with the exit status
	}
	return false
}

func (r *runner) printHandshake(hs sdk.Handshake) {
	// URL and credentials are printed redacted, as everywhere in redial:
	// -v output ends up in bug reports and terminal recordings.
	r.say("> GET %s", sdk.RedactURL(hs.URL))
	for _, k := range sortedKeys(hs.RequestHeader) {
		for _, v := range hs.RequestHeader[k] {
			r.say("> %s: %s", rfcName(k), sdk.RedactHeader(k, v))
		}
	}
	r.say("< %d %s", hs.StatusCode, http.StatusText(hs.StatusCode))
	for _, k := range sortedKeys(hs.ResponseHeader) {
		for _, v := range hs.ResponseHeader[k] {
			r.say("< %s: %s", rfcName(k), sdk.RedactHeader(k, v))
		}
	}
	if want := sdk.ComputeAccept(hs.Key); hs.AcceptValid && hs.Accept == want {
		r.say("verified: base64(SHA-1(key+GUID)) matches (%s)", hs.Accept)
	} else {
		r.say("NOT verified: base64(SHA-1(key+GUID)) is %s, the server sent %q", want, hs.Accept)
	}
}

// describe words a failure briefly, for a "reconnecting" line or an exit.
func describe(err error, cfg *config) string {
	var (
		ce *sdk.CloseError
		he *sdk.HandshakeError
		oe *net.OpError
	)
	switch {
	case err == nil:
		return "no error"
	case errors.As(err, &ce):
		s := "close " + ce.Code.String()
		if ce.Code == sdk.StatusAbnormalClosure {
			return s + ", no close frame"
		}
		if ce.Reason != "" {
			s += ": " + closeReason(ce.Reason)
		}
		return s
	case errors.As(err, &he):
		if he.StatusCode != 0 && he.StatusCode != http.StatusSwitchingProtocols {
			s := fmt.Sprintf("handshake refused with HTTP %d %s", he.StatusCode, http.StatusText(he.StatusCode))
			if ra := headerValue(he.Header, "Retry-After"); ra != "" {
				s += ", Retry-After: " + ra
			}
			return s
		}
		return trim(he)
	case errors.Is(err, sdk.ErrHeartbeatTimeout):
		return "heartbeat timeout (no pong within two -heartbeat intervals)"
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("no answer within -timeout %s", cfg.timeout)
	case errors.As(err, &oe):
		return oe.Error()
	}
	return trim(err)
}

func trim(err error) string { return strings.TrimPrefix(err.Error(), "redial: ") }

// roundDelay shows 1.3s rather than 1.312734s, and 40ms below a second.
func roundDelay(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

func headerValue(h map[string][]string, key string) string {
	for k, v := range h {
		if strings.EqualFold(k, key) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// rfcName spells Go's canonical "Sec-Websocket-Key" as RFC 6455 does.
func rfcName(k string) string { return strings.Replace(k, "Websocket", "WebSocket", 1) }

func sortedKeys(h map[string][]string) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// syncWriter serializes writes from the printer, the stdin reader and run.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
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
