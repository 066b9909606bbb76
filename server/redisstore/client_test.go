package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redial-ws/redial/internal/sdktest"
	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
)

// The cross-node tests drive the nodes with the real client, sdk.Conn
// with Options.Resume: what users run is what is proven. (The
// protocol-level client internal/resumetest is no longer used here: every
// behaviour these tests need, a resume on another node, a 4013 refusal, a
// 4504 end, is reachable through sdk.Conn.)

// clientOpts are the real client's options in these tests: resume on,
// 1–5 ms backoff (loopback), no heartbeat (no timed behaviour), retries
// without a budget (a 4013 refusal is retried until Redis answers).
func clientOpts(run *streamRun) *sdk.Options {
	o := sdktest.Fast(&sdk.Options{Resume: true})
	o.MaxRetries = 0
	o.OnStateChange = run.event
	return o
}

// seqCount is what the client's app counts: message i must be the i-th
// it reads. dup counts a message at or below one already read, lost the
// numbers skipped, reorder each time a number was not the next one.
type seqCount struct {
	mu                 sync.Mutex
	next               int
	dup, lost, reorder int
	first              string // the first violation, for the failure message
	got                atomic.Int64
	progress           chan struct{}
	prefix             string
	checkType          sdk.MessageType
}

func (s *seqCount) see(typ sdk.MessageType, p []byte) {
	i, err := strconv.Atoi(strings.TrimPrefix(string(p), s.prefix))
	s.mu.Lock()
	switch {
	case err != nil || !strings.HasPrefix(string(p), s.prefix) || typ != s.checkType:
		s.note(fmt.Sprintf("message %q (type %v) is not %s<n>", p, typ, s.prefix))
	case i == s.next:
		s.next++
	case i < s.next:
		s.dup++
		s.note(fmt.Sprintf("%s%d again after %s%d", s.prefix, i, s.prefix, s.next-1))
	default:
		s.lost += i - s.next
		s.reorder++
		s.note(fmt.Sprintf("%s%d after %s%d", s.prefix, i, s.prefix, s.next-1))
		s.next = i + 1
	}
	s.mu.Unlock()
	s.got.Add(1)
	ring(s.progress)
}

func (s *seqCount) note(v string) {
	if s.first == "" {
		s.first = v
	}
}

// streamRun is a real client streaming "c0".."c<n-1>" to the nodes'
// streamApp and checking it reads "s0".."s<n-1>", once each, in order.
type streamRun struct {
	c   *sdk.Conn
	app *streamApp
	cli seqCount

	sent    atomic.Int64 // Writes that returned nil
	opens   atomic.Int64 // StateOpen events: connections that got a WELCOME
	refused atomic.Int64 // attempts or connections ended by 4013
	opened  chan struct{}
	readErr chan error // the reader's end: the Conn's final error
	sendErr chan error // the writer's end: nil once all n were queued
}

// event counts the Conn's opens and its 4013 refusals (a close of an open
// connection, or a resume refused in the opening exchange).
func (r *streamRun) event(e sdk.StateChange) {
	if e.To == sdk.StateOpen {
		r.opens.Add(1)
		ring(r.opened)
	}
	var ce *sdk.CloseError
	if errors.As(e.Err, &ce) && ce.Code == server.StatusStoreUnavailable {
		r.refused.Add(1)
	}
}

// streamClient dials url with the real client (the first connection opens
// a new session on whichever node the proxy points at) and starts its
// app's reader and writer.
func streamClient(t testing.TB, ctx context.Context, url string, app *streamApp) *streamRun {
	t.Helper()
	r := &streamRun{
		app: app, opened: make(chan struct{}, 1),
		readErr: make(chan error, 1), sendErr: make(chan error, 1),
		cli: seqCount{prefix: "s", checkType: sdk.MessageBinary, progress: make(chan struct{}, 1)},
	}
	c, err := sdk.Dial(ctx, url, clientOpts(r))
	if err != nil {
		t.Fatal(err)
	}
	r.c = c
	go func() {
		for {
			typ, p, err := c.Read(context.Background()) // ends with the Conn
			if err != nil {
				r.readErr <- err
				return
			}
			r.cli.see(typ, p)
		}
	}()
	go func() {
		for i := 0; i < app.n; {
			err := c.Write(ctx, sdk.MessageText, []byte("c"+strconv.Itoa(i)))
			switch {
			case err == nil:
				i++
				r.sent.Store(int64(i))
			case errors.Is(err, sdk.ErrQueueFull): // down with a full window: wait for the next open
				select {
				case <-r.opened:
				case <-time.After(5 * time.Millisecond):
				case <-ctx.Done():
					r.sendErr <- context.Cause(ctx)
					return
				}
			default:
				r.sendErr <- err
				return
			}
		}
		r.sendErr <- nil
	}()
	t.Cleanup(func() { _ = c.Close(sdk.StatusNormalClosure, "test over") })
	return r
}

// acked is how many of its messages the client saw acknowledged: those
// it wrote that left its send queue (resume mode keeps a message queued
// until the server acknowledges it). A lower bound while Writes go on.
func (r *streamRun) acked() int64 {
	sent := r.sent.Load()
	return max(sent-int64(r.c.Stats().QueuedMessages), 0)
}

// waitProgress waits until the client opened at least `opens` connections,
// the current one is open, and client+handlers read at least `total`
// messages (20 s without progress fails).
func (r *streamRun) waitProgress(ctx context.Context, opens, total int64) error {
	stall := time.NewTimer(20 * time.Second)
	defer stall.Stop()
	for r.opens.Load() < opens || r.c.State() != sdk.StateOpen || r.cli.got.Load()+int64(r.app.serverGot()) < total {
		select {
		case <-r.opened:
		case <-r.cli.progress:
		case <-r.app.progress:
		case <-time.After(time.Millisecond): // State has no doorbell here; re-check
		case err := <-r.readErr:
			return fmt.Errorf("client ended: %w", err)
		case <-stall.C:
			return fmt.Errorf("stuck for 20 s at %d opens, %v, %d+%d messages",
				r.opens.Load(), r.c.State(), r.app.serverGot(), r.cli.got.Load())
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	return nil
}

// loss is one run's invariant, counted on both ends: the client's reads
// and the sum over the handlers of every node.
type loss struct {
	cliLost, cliDup, cliReorder int
	srvLost, srvDup, srvReorder int
}

func (l loss) String() string {
	return fmt.Sprintf("client: %d lost, %d duplicated, %d out of order; handlers: %d lost, %d duplicated, %d out of order",
		l.cliLost, l.cliDup, l.cliReorder, l.srvLost, l.srvDup, l.srvReorder)
}

// complete waits for a connection after the last move (`opens`), both
// streams done and the client's window empty (everything acknowledged),
// closes the Conn and returns the counts. killedReads is how many client
// messages may be missing from the handlers' logs (a killed handler's
// read it had not logged: TestNodeKilled).
func (r *streamRun) complete(t testing.TB, ctx context.Context, opens int64, killedReads int) loss {
	t.Helper()
	if err := r.waitProgress(ctx, opens, 0); err != nil {
		t.Fatalf("no connection after the last move: %v", err)
	}
	select {
	case err := <-r.sendErr:
		if err != nil {
			t.Fatalf("client Write: %v", err)
		}
	case <-ctx.Done():
		t.Fatalf("client writer stuck at %d: %v", r.sent.Load(), context.Cause(ctx))
	}
	n := int64(r.app.n)
	for r.cli.got.Load() < n || r.c.Stats().QueuedMessages > 0 || int64(r.app.serverGot()) < n-int64(killedReads) {
		select {
		case <-r.cli.progress:
		case <-r.app.progress:
		case <-time.After(5 * time.Millisecond): // an ACK rings nothing here; re-check
		case err := <-r.readErr:
			t.Fatalf("client ended: %v", err)
		case <-ctx.Done():
			t.Fatalf("stuck: client got %d, %d queued, handlers got %d",
				r.cli.got.Load(), r.c.Stats().QueuedMessages, r.app.serverGot())
		}
	}
	if err := r.c.Close(sdk.StatusNormalClosure, "done"); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := <-r.readErr; !errors.Is(err, sdk.ErrClosed) {
		t.Fatalf("client reader ended with %v, want ErrClosed", err)
	}
	var l loss
	r.cli.mu.Lock()
	l.cliLost, l.cliDup, l.cliReorder = r.cli.lost+int(n)-r.cli.next, r.cli.dup, r.cli.reorder
	first := r.cli.first
	r.cli.mu.Unlock()
	l.srvLost, l.srvDup, l.srvReorder = r.app.loss()
	if first != "" {
		t.Errorf("client: %s", first)
	}
	return l
}
