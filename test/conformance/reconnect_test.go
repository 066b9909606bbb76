package conformance_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redial-ws/redial/sdk"
)

func TestDropReconnectEcho(t *testing.T) {
	f := newFixture(t)
	o := fast(nil)
	rec := newRecorder(o)
	c := dial(t, f.url("/echo"), o)
	if e := rec.Next(t, "open", to(sdk.StateOpen)); e.From != sdk.StateConnecting || e.Attempt != 0 {
		t.Fatalf("first open event %v, want from connecting, attempt 0", e)
	}
	echo(t, c, "before")
	f.drop()
	e := rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
	if e.From != sdk.StateOpen || e.Attempt != 1 || e.Close == nil || e.Close.Code != sdk.StatusAbnormalClosure {
		t.Fatalf("reconnecting event = %v (close %+v), want from open, attempt 1, close 1006", e, e.Close)
	}
	if e.Final {
		t.Fatal("reconnecting event marked final")
	}
	if e := rec.Next(t, "reopen", to(sdk.StateOpen)); e.From != sdk.StateReconnecting || e.Attempt != 1 {
		t.Fatalf("reopen event %v, want from reconnecting, attempt 1", e)
	}
	echo(t, c, "after")
	if n := f.accepted(); n != 2 {
		t.Fatalf("server accepted %d connections, want 2", n)
	}
	if got := f.received("/echo"); strings.Join(got, ",") != "before,after" {
		t.Fatalf("server received %q", got)
	}
}

// TestReconnectRepeatedly: many drops in a row, each followed by a working
// connection.
func TestReconnectRepeatedly(t *testing.T) {
	f := newFixture(t)
	o := fast(nil)
	rec := newRecorder(o)
	c := dial(t, f.url("/echo"), o)
	rec.Next(t, "open", to(sdk.StateOpen))
	const drops = 5
	for i := range drops {
		f.drop()
		rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
		rec.Next(t, "reopen", to(sdk.StateOpen))
		echo(t, c, "round "+strconv.Itoa(i))
	}
	if n := f.accepted(); n != drops+1 {
		t.Fatalf("server accepted %d connections, want %d", n, drops+1)
	}
}

// TestQueuedWhileStoppedFlushedInOrder: messages written while the server
// is down are queued, then sent in order on the new connection.
func TestQueuedWhileStoppedFlushedInOrder(t *testing.T) {
	f := newFixture(t)
	o := steady(nil)
	rec := newRecorder(o)
	c := dial(t, f.url("/echo"), o)
	rec.Next(t, "open", to(sdk.StateOpen))
	f.stop()
	rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
	ctx := ctxT(t)
	const n = 100
	for i := range n {
		if err := c.Write(ctx, sdk.MessageText, []byte(strconv.Itoa(i))); err != nil {
			t.Fatalf("Write %d while down: %v", i, err)
		}
	}
	if s := c.State(); s == sdk.StateOpen {
		t.Fatalf("State = %v while the server is stopped", s)
	}
	f.restart()
	for i := range n {
		_, p, err := c.Read(ctx)
		if err != nil || string(p) != strconv.Itoa(i) {
			t.Fatalf("message %d after reconnect = %q, %v", i, p, err)
		}
	}
	got := f.received("/echo")
	if len(got) != n {
		t.Fatalf("server received %d messages, want %d", len(got), n)
	}
	for i, m := range got {
		if m != strconv.Itoa(i) {
			t.Fatalf("server received %q at %d: out of order", m, i)
		}
	}
	if n := f.accepted(); n != 2 {
		t.Fatalf("server accepted %d connections, want 2", n)
	}
}

func TestQueueFullWhileDown(t *testing.T) {
	f := newFixture(t)
	o := fast(nil)
	o.MaxQueued = 3
	o.Backoff = sdk.Backoff{Initial: time.Hour, Max: time.Hour}
	rec := newRecorder(o)
	c := dial(t, f.url("/echo"), o)
	f.drop()
	rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
	ctx := ctxT(t)
	for i := range 3 {
		if err := c.Write(ctx, sdk.MessageText, []byte("x")); err != nil {
			t.Fatalf("Write %d: %v", i, err)
		}
	}
	err := c.Write(ctx, sdk.MessageText, []byte("x"))
	if !errors.Is(err, sdk.ErrQueueFull) {
		t.Fatalf("4th Write while down = %v, want ErrQueueFull", err)
	}
	var ue *sdk.UnsentError
	if err := c.Close(sdk.StatusNormalClosure, ""); !errors.As(err, &ue) || ue.Messages != 3 {
		t.Fatalf("Close with 3 queued = %v, want *UnsentError{3}", err)
	}
}

// TestWriteWaitsForRoomWhileOpen: a tiny queue on an open connection
// pushes back instead of failing.
func TestWriteWaitsForRoomWhileOpen(t *testing.T) {
	f := newFixture(t)
	o := fast(nil)
	o.MaxQueued = 1
	c := dial(t, f.url("/echo"), o)
	ctx := ctxT(t)
	const n = 50
	done := make(chan error, 1)
	go func() {
		for i := range n {
			if err := c.Write(ctx, sdk.MessageText, []byte(strconv.Itoa(i))); err != nil {
				done <- fmt.Errorf("Write %d: %w", i, err)
				return
			}
		}
		done <- nil
	}()
	for i := range n {
		if _, p, err := c.Read(ctx); err != nil || string(p) != strconv.Itoa(i) {
			t.Fatalf("Read %d = %q %v", i, p, err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestCloseSendsQueuedFirst: Close sends what Write queued, then closes.
func TestCloseSendsQueuedFirst(t *testing.T) {
	f := newFixture(t)
	c, err := sdk.Dial(ctxT(t), f.url("/echo"), fast(nil))
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	for i := range n {
		if err := c.Write(ctxT(t), sdk.MessageText, []byte(strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Close(sdk.StatusNormalClosure, "done"); err != nil {
		t.Fatalf("Close: %v", err)
	}
	f.waitReceived("/echo", n)
	got := f.received("/echo")
	for i, m := range got {
		if m != strconv.Itoa(i) {
			t.Fatalf("server received %q: want 0…%d in order", got, n-1)
		}
	}
}

func TestFirstDialIsRetried(t *testing.T) {
	f := newFixture(t)
	f.stop()
	o := steady(nil)
	rec := newRecorder(o)
	type result struct {
		c   *sdk.Conn
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := sdk.Dial(ctxT(t), f.url("/echo"), o)
		done <- result{c, err}
	}()
	e := rec.Next(t, "second retry of the first dial", func(e sdk.StateChange) bool {
		return e.To == sdk.StateReconnecting && e.Attempt >= 2
	})
	if e.From != sdk.StateReconnecting || e.Close != nil {
		t.Fatalf("retry event %v (close %+v), want from reconnecting with no close", e, e.Close)
	}
	f.restart()
	r := <-done
	if r.err != nil {
		t.Fatalf("Dial: %v", r.err)
	}
	t.Cleanup(func() { _ = r.c.Close(sdk.StatusNormalClosure, "") })
	echo(t, r.c, "late")
}

func TestRetryBudget(t *testing.T) {
	f := newFixture(t)
	f.stop()
	o := fast(nil)
	o.MaxRetries = 3
	rec := newRecorder(o)
	_, err := sdk.Dial(ctxT(t), f.url("/echo"), o)
	if !errors.Is(err, sdk.ErrRetriesExhausted) {
		t.Fatalf("Dial to a stopped server with MaxRetries 3 = %v, want ErrRetriesExhausted", err)
	}
	retries := 0
	for done := false; !done; {
		select {
		case e := <-rec.C:
			if e.To == sdk.StateReconnecting {
				retries++
			}
			done = e.To == sdk.StateClosed
		case <-time.After(testTimeout):
			t.Fatal("no closed event after Dial failed")
		}
	}
	if retries != 3 {
		t.Fatalf("%d retries scheduled, want 3", retries)
	}

	o = steady(nil)
	o.MaxElapsed = 200 * time.Millisecond
	start := time.Now()
	if _, err := sdk.Dial(ctxT(t), f.url("/echo"), o); !errors.Is(err, sdk.ErrRetriesExhausted) {
		t.Fatalf("Dial to a stopped server with MaxElapsed 200ms = %v, want ErrRetriesExhausted", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("MaxElapsed 200ms took %v to give up", d)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := sdk.Dial(ctx, f.url("/echo"), steady(nil)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Dial with a 100 ms ctx to a stopped server = %v, want deadline exceeded", err)
	}
}

// TestOutageRecovers: the port goes down for a while (/stopfor) and comes
// back on its own; the Conn rides it out.
func TestOutageRecovers(t *testing.T) {
	f := newFixture(t)
	o := steady(nil)
	rec := newRecorder(o)
	c := dial(t, f.url("/echo"), o)
	rec.Next(t, "open", to(sdk.StateOpen))
	f.call("/stopfor", map[string][]string{"ms": {"300"}})
	rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
	e := rec.Next(t, "reopen", to(sdk.StateOpen))
	if e.Attempt < 2 {
		t.Fatalf("reopened at attempt %d; a 300 ms outage with 20 ms waits takes several", e.Attempt)
	}
	echo(t, c, "after the outage")
}

// TestURLFuncEveryAttempt: URLFunc is asked before every attempt, so a
// token in the query is fresh on each reconnect.
func TestURLFuncEveryAttempt(t *testing.T) {
	f := newFixture(t)
	var calls atomic.Int32
	o := fast(nil)
	o.URLFunc = func(context.Context) (string, error) {
		return f.url("/echo?token=" + strconv.Itoa(int(calls.Add(1)))), nil
	}
	rec := newRecorder(o)
	c := dial(t, "", o)
	rec.Next(t, "open", to(sdk.StateOpen))
	if q := f.lastUpgrade().RawQuery; q != "token=1" {
		t.Fatalf("first upgrade query %q, want token=1", q)
	}
	f.drop()
	rec.Next(t, "reopen", to(sdk.StateOpen))
	if q := f.lastUpgrade().RawQuery; q != "token=2" {
		t.Fatalf("upgrade after reconnect has query %q, want token=2", q)
	}
	echo(t, c, "fresh token")
}

// TestReadContextDoesNotCloseConn: a ctx that ends interrupts only that
// Read; the Conn stays up and later messages are not lost.
func TestReadContextDoesNotCloseConn(t *testing.T) {
	f := newFixture(t)
	o := fast(nil)
	rec := newRecorder(o)
	c := dial(t, f.url("/echo"), o)
	rec.Next(t, "open", to(sdk.StateOpen))
	for range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		_, _, err := c.Read(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Read = %v, want deadline exceeded", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := c.Read(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Read with a canceled ctx = %v, want canceled", err)
	}
	if c.State() != sdk.StateOpen {
		t.Fatalf("State after timed-out Reads = %v", c.State())
	}
	echo(t, c, "still up")
	select {
	case e := <-rec.C:
		t.Fatalf("unexpected event after Read timeouts: %v", e)
	default:
	}
	if n := f.accepted(); n != 1 {
		t.Fatalf("server accepted %d connections, want 1", n)
	}
}
