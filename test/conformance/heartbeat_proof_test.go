package conformance_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redial-ws/redial/internal/fakeclock"
	"github.com/redial-ws/redial/sdk"
)

// Issue 8 §2: a connection is declared dead only when it failed to prove
// itself alive, and what it received before is never dropped. The wall
// clock jumps here as after a laptop slept, a process stopped (SIGSTOP)
// and resumed, or a page's main thread blocked.

const (
	jumpIV   = 25 * time.Second
	jumpWait = 10 * time.Second // the heartbeat's confirmation wait at 25 s
)

// jump makes the heartbeat's next tick see ten minutes of wall time pass.
func jump(t *testing.T, clk *fakeclock.Clock) {
	t.Helper()
	if err := clk.WaitFor(ctxT(t), jumpIV); err != nil {
		t.Fatal(err)
	}
	clk.Jump(10 * time.Minute)
	clk.Advance(jumpIV)
}

// stillOpen checks that the connection survived: the heartbeat waits for
// its next tick, no confirmation wait is pending, no event came, and the
// server saw one connection.
func stillOpen(t *testing.T, f *fixture, c *sdk.Conn, clk *fakeclock.Clock, rec interface{ Drain() []string }) {
	t.Helper()
	if err := clk.WaitFor(ctxT(t), jumpIV); err != nil {
		t.Fatalf("the heartbeat did not go back to its interval (pending %v): %v", clk.Pending(), err)
	}
	for _, d := range clk.Pending() {
		if d == jumpWait {
			t.Fatalf("a confirmation wait is still pending: %v", clk.Pending())
		}
	}
	if e := rec.Drain(); len(e) != 0 || c.State() != sdk.StateOpen {
		t.Fatalf("State %v, events %v: the live connection was declared dead", c.State(), e)
	}
	if n := f.accepted(); n != 1 {
		t.Fatalf("server accepted %d connections, want 1", n)
	}
}

// TestHeartbeatWallClockJumpPingAnswered: natively, a jump alone does not
// kill a live connection: a ping is sent and its pong confirms it.
func TestHeartbeatWallClockJumpPingAnswered(t *testing.T) {
	skipInBrowser(t, "a page cannot send pings (see TestHeartbeatWallClockJumpDataProvesLife)")
	f := newFixture(t)
	o, clk := heartbeatOpts(jumpIV)
	rec := newRecorder(o)
	c := dial(t, f.url("/echo"), o)
	rec.Next(t, "open", to(sdk.StateOpen))
	jump(t, clk)
	stillOpen(t, f, c, clk, rec)
	echo(t, c, "awake")
}

// TestHeartbeatWallClockJumpSilentIsDead: after a jump a connection that
// shows no sign of life within the confirmation wait is dead (natively its
// ping goes unanswered; in the browser nothing arrives), and not before.
func TestHeartbeatWallClockJumpSilentIsDead(t *testing.T) {
	f := newFixture(t)
	o, clk := heartbeatOpts(jumpIV)
	rec := newRecorder(o)
	dial(t, f.url("/stall"), o)
	rec.Next(t, "open", to(sdk.StateOpen))
	jump(t, clk)
	if err := clk.WaitFor(ctxT(t), jumpWait); err != nil {
		t.Fatalf("no confirmation wait after the jump (pending %v): %v", clk.Pending(), err)
	}
	if e := rec.Drain(); len(e) != 0 {
		t.Fatalf("declared dead before the confirmation wait ended: %v", e)
	}
	clk.Advance(jumpWait)
	e := rec.Next(t, "reconnecting", toAny(sdk.StateReconnecting, sdk.StateClosed))
	if e.To != sdk.StateReconnecting || !errors.Is(e.Err, sdk.ErrHeartbeatTimeout) || !strings.Contains(e.Err.Error(), "slept") {
		t.Fatalf("event %v, want reconnecting after a heartbeat timeout naming sleep", e)
	}
	// Backoff waits run on the fake clock too: let the retry happen.
	if err := clk.WaitFor(ctxT(t), e.Delay); err != nil {
		t.Fatal(err)
	}
	clk.Advance(e.Delay)
	rec.Next(t, "reopen", to(sdk.StateOpen))
	f.drop() // a stalled peer would not answer Close's close frame
	rec.Next(t, "dropped", to(sdk.StateReconnecting))
}

// TestHeartbeatWallClockJumpDataProvesLife: a peer that keeps sending but
// never reads (pings unanswered, as from a server whose app is slow) is
// alive after a jump: its messages prove it. Every message arrives, in
// order, on one connection. In the browser this is the only proof there is.
func TestHeartbeatWallClockJumpDataProvesLife(t *testing.T) {
	f := newFixture(t)
	o, clk := heartbeatOpts(jumpIV)
	rec := newRecorder(o)
	c := dial(t, f.url("/ticker?ms=10&deaf=1"), o)
	rec.Next(t, "open", to(sdk.StateOpen))
	r := startReader(t, c)
	r.waitFor(t, 1)
	jump(t, clk)
	stillOpen(t, f, c, clk, rec)
	n := r.count() + 3
	r.waitFor(t, n) // still flowing, after the jump
	f.drop()        // a deaf peer would not answer Close's close frame
	r.stop()
	r.inOrder(t, 1, n)
}

// TestHeartbeatDeafPeerWithDataStays: natively, pings a peer leaves
// unanswered while its data keeps coming are no sign of death (a peer
// reads control frames only when its app reads).
func TestHeartbeatDeafPeerWithDataStays(t *testing.T) {
	skipInBrowser(t, "a page cannot send pings")
	f := newFixture(t)
	const iv = time.Second
	o, clk := heartbeatOpts(iv)
	rec := newRecorder(o)
	c := dial(t, f.url("/ticker?ms=10&deaf=1"), o)
	rec.Next(t, "open", to(sdk.StateOpen))
	r := startReader(t, c)
	for range 5 {
		if err := clk.WaitFor(ctxT(t), iv); err != nil {
			t.Fatalf("pending %v, events %v: %v", clk.Pending(), rec.Drain(), err)
		}
		clk.Advance(iv)
	}
	if err := clk.WaitFor(ctxT(t), iv); err != nil {
		t.Fatalf("pending %v, events %v: %v", clk.Pending(), rec.Drain(), err)
	}
	if e := rec.Drain(); len(e) != 0 || c.State() != sdk.StateOpen {
		t.Fatalf("State %v, events %v after 5 intervals of data and no pong", c.State(), e)
	}
	f.drop()
	r.stop()
	r.inOrder(t, 1, r.count())
}

// TestHeartbeatDeathDeliversReceived: in the browser, messages the socket
// received while the app was not reading are all delivered, in order, even
// when the heartbeat declares the connection dead (the helper's JS queue
// and the transport's inbox are handed over, not dropped). Natively a
// reader waiting for the app reads no pong either, so the heartbeat takes
// no decision then (TestSlowReaderKeepsConnection).
func TestHeartbeatDeathDeliversReceived(t *testing.T) {
	if !inBrowser {
		t.Skip("native: the heartbeat does not end a connection whose app is not reading")
	}
	f := newFixture(t)
	o, clk := heartbeatOpts(jumpIV)
	rec := newRecorder(o)
	const n = 40 // more than the SDK buffers ahead of Read
	c := dial(t, f.url("/ticker?ms=1&deaf=1&n="+strconv.Itoa(n)), o)
	rec.Next(t, "open", to(sdk.StateOpen))
	f.waitReceived("/ticker", 1) // "sent 40": all are on their way
	// Jump until the heartbeat finds the socket silent: a jump while the
	// 40 messages still arrive finds it alive.
	ctx := ctxT(t)
	for died := false; !died; {
		jump(t, clk)
		if err := clk.WaitTimers(ctx, 1); err != nil {
			t.Fatal(err)
		}
		if p := clk.Pending(); len(p) == 1 && p[0] == jumpWait {
			clk.Advance(jumpWait)
			if err := clk.WaitTimers(ctx, 1); err != nil {
				t.Fatal(err)
			}
			died = clk.Pending()[0] != jumpIV
		}
	}
	e := rec.Next(t, "reconnecting", toAny(sdk.StateReconnecting, sdk.StateClosed))
	if e.To != sdk.StateReconnecting || !errors.Is(e.Err, sdk.ErrHeartbeatTimeout) {
		t.Fatalf("event %v, want reconnecting after ErrHeartbeatTimeout", e)
	}
	// The backoff wait has not passed: every message comes from the
	// connection that ended.
	for i := 1; i <= n; i++ {
		_, p, err := c.Read(ctx)
		if err != nil || string(p) != strconv.Itoa(i) {
			t.Fatalf("message %d = %q, %v: received messages were dropped when the heartbeat ended the connection", i, p, err)
		}
	}
}

// reader reads a Conn's messages in the background, so the app is never
// the bottleneck.
type reader struct {
	mu     sync.Mutex
	got    []string
	change chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
}

func startReader(t *testing.T, c *sdk.Conn) *reader {
	ctx, cancel := context.WithCancel(ctxT(t))
	r := &reader{change: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		for {
			_, p, err := c.Read(ctx)
			if err != nil {
				return
			}
			r.mu.Lock()
			r.got = append(r.got, string(p))
			r.mu.Unlock()
			select {
			case r.change <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(r.stop)
	return r
}

func (r *reader) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func (r *reader) waitFor(t *testing.T, n int) {
	t.Helper()
	ctx := ctxT(t)
	for r.count() < n {
		select {
		case <-r.change:
		case <-ctx.Done():
			t.Fatalf("read %d messages, want %d", r.count(), n)
		}
	}
}

func (r *reader) stop() {
	r.cancel()
	<-r.done
}

// inOrder checks the first n messages are "from", "from+1", ….
func (r *reader) inOrder(t *testing.T, from, n int) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.got) < n {
		t.Fatalf("read %d messages, want at least %d", len(r.got), n)
	}
	for i, s := range r.got[:n] {
		if s != strconv.Itoa(from+i) {
			t.Fatalf("message %d = %q, want %q (got %v)", i, s, strconv.Itoa(from+i), r.got[:n])
		}
	}
}
