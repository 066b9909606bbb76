package conformance_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redial-ws/redial/internal/fakeclock"
	"github.com/redial-ws/redial/internal/sdkhooks"
	"github.com/redial-ws/redial/sdk"
)

func heartbeatOpts(iv time.Duration) (*sdk.Options, *fakeclock.Clock) {
	clk := fakeclock.New(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	o := fast(nil)
	o.NoHeartbeat = false
	o.HeartbeatInterval = iv
	sdkhooks.Of(o).Clock = clk
	return o, clk
}

// TestHeartbeatDeclaresStalledConnectionDead: a server that never reads
// never answers pings. Two missed pings end the connection, at 2 × interval
// plus the wait for the second pong (issue 8 §8: it took 3 intervals and a
// single ping): the ping sent at the first tick is missed at the second,
// which sends another and waits half an interval for it.
func TestHeartbeatDeclaresStalledConnectionDead(t *testing.T) {
	skipInBrowser(t, "a page cannot send pings; the browser heartbeat keeps only its wall-clock check (see sdk/doc.go)")
	f := newFixture(t)
	const iv, wait = time.Second, 500 * time.Millisecond
	o, clk := heartbeatOpts(iv)
	rec := newRecorder(o)
	dial(t, f.url("/stall"), o)
	rec.Next(t, "open", to(sdk.StateOpen))
	for range 2 {
		if err := clk.WaitFor(ctxT(t), iv); err != nil {
			t.Fatal(err)
		}
		clk.Advance(iv)
	}
	// The second ping is out; its pong has wait to come.
	if err := clk.WaitFor(ctxT(t), wait); err != nil {
		t.Fatalf("no %v wait for the second pong after two intervals (pending timers %v): %v", wait, clk.Pending(), err)
	}
	if e := rec.Drain(); len(e) != 0 {
		t.Fatalf("events before the second ping was missed: %v", e)
	}
	clk.Advance(wait)
	e := rec.Next(t, "reconnecting", toAny(sdk.StateReconnecting, sdk.StateClosed))
	if e.To != sdk.StateReconnecting || !errors.Is(e.Err, sdk.ErrHeartbeatTimeout) || !strings.Contains(e.Err.Error(), "2 pings unanswered") {
		t.Fatalf("event %v, want reconnecting after ErrHeartbeatTimeout for 2 pings", e)
	}
}

// TestHeartbeatKeepsHealthyConnection: heartbeat intervals pass on an
// answering server (natively pings are answered; in the browser none are
// sent, only the wall clock is checked) and the connection stays.
//
// This one runs on the real clock: on a fake one each tick comes as fast as
// the test advances it, and a ping whose goroutine is merely scheduled late
// looks unanswered. Time passing is the scenario here, so it sleeps.
func TestHeartbeatKeepsHealthyConnection(t *testing.T) {
	f := newFixture(t)
	const iv = 200 * time.Millisecond
	o := fast(nil)
	o.NoHeartbeat = false
	o.HeartbeatInterval = iv
	rec := newRecorder(o)
	c := dial(t, f.url("/echo"), o)
	rec.Next(t, "open", to(sdk.StateOpen))
	for end, i := time.Now().Add(5*iv), 0; time.Now().Before(end); i++ {
		echo(t, c, strconv.Itoa(i))
		time.Sleep(iv / 4)
	}
	if c.State() != sdk.StateOpen {
		t.Fatalf("State = %v after 5 heartbeat intervals, events %v", c.State(), rec.Drain())
	}
	if e := rec.Drain(); len(e) != 0 {
		t.Fatalf("events on a healthy connection: %v", e)
	}
	if n := f.accepted(); n != 1 {
		t.Fatalf("server accepted %d connections, want 1", n)
	}
}

// TestReadLimitIsFinal1009: a message over Options.ReadLimit closes the
// Conn with 1009, locally, for good.
func TestReadLimitIsFinal1009(t *testing.T) {
	f := newFixture(t)
	o := fast(nil)
	o.ReadLimit = 16
	c := dial(t, f.url("/echo"), o)
	if err := c.Write(ctxT(t), sdk.MessageText, []byte(strings.Repeat("x", 100))); err != nil {
		t.Fatal(err)
	}
	_, p, err := c.Read(ctxT(t))
	if err == nil {
		t.Fatalf("Read returned a %d-byte message with Options.ReadLimit 16", len(p))
	}
	if ce := wantClose(t, err, sdk.StatusMessageTooBig); !ce.Local {
		t.Fatalf("close %+v, want local", ce)
	}
	if n := f.accepted(); n != 1 {
		t.Fatalf("server accepted %d connections after a final 1009, want 1", n)
	}
}

// TestSlowReaderKeepsConnection: an app that leaves messages unread for a
// few heartbeat intervals (busy elsewhere) keeps its healthy connection,
// and then reads every message, in order. On the real clock: the messages
// must really sit unread while ticks pass, which a fake clock's instant
// ticks cannot arrange.
func TestSlowReaderKeepsConnection(t *testing.T) {
	f := newFixture(t)
	o := fast(nil)
	o.NoHeartbeat = false
	o.HeartbeatInterval = 50 * time.Millisecond
	rec := newRecorder(o)
	c := dial(t, f.url("/echo"), o)
	rec.Next(t, "open", to(sdk.StateOpen))
	ctx := ctxT(t)
	const n = 40 // more than the SDK buffers ahead of Read
	for i := range n {
		if err := c.Write(ctx, sdk.MessageText, []byte(strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	f.waitReceived("/echo", n)
	time.Sleep(400 * time.Millisecond) // eight heartbeat intervals, the app not reading
	for i := range n {
		_, p, err := c.Read(ctx)
		if err != nil || string(p) != strconv.Itoa(i) {
			t.Fatalf("message %d = %q, %v", i, p, err)
		}
	}
	echo(t, c, "still the same connection")
	select {
	case e := <-rec.C:
		t.Fatalf("unexpected event while the app was busy: %v (err %v)", e, e.Err)
	default:
	}
	if n := f.accepted(); n != 1 {
		t.Fatalf("server accepted %d connections, want 1", n)
	}
}
