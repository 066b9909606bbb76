package conformance_test

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redial-ws/redial/internal/fakeclock"
	"github.com/redial-ws/redial/internal/sdkhooks"
	"github.com/redial-ws/redial/sdk"
)

// closeFirstURL: the server runs the close handshake with code and reason
// on the first connection only (the counter is per path, reset per test),
// then echoes.
func (f *fixture) closeFirstURL(code sdk.StatusCode, reason string) string {
	return f.url(fmt.Sprintf("/closefirst?code=%d&n=1&reason=%s", code, url.QueryEscape(reason)))
}

// TestDefaultPolicyCloseCodes runs every close-code row of the default
// policy (sdk/doc.go's table) end to end: the server closes with the code, and the
// Conn either reconnects (and echoes on the new connection) or ends for
// good with the code and reason, without another upgrade.
func TestDefaultPolicyCloseCodes(t *testing.T) {
	final := []sdk.StatusCode{1002, 1003, 1007, 1008, 1009, 1010, 3500, 3999, 4500, 4999}
	retry := []sdk.StatusCode{1000, 1001, 1005, 1011, 1014, 3000, 3499, 4000, 4499}
	for _, code := range final {
		t.Run(fmt.Sprintf("final/%d", code), func(t *testing.T) {
			f := newFixture(t)
			o := fast(nil)
			rec := newRecorder(o)
			reason := "r" + strconv.Itoa(int(code))
			c := dial(t, f.closeFirstURL(code, reason), o)
			e := rec.Next(t, "reconnecting or closed", toAny(sdk.StateReconnecting, sdk.StateClosed))
			if e.To != sdk.StateClosed || !e.Final {
				t.Fatalf("close %d: event %v, want final close", code, e)
			}
			if e.Close == nil || e.Close.Code != code || e.Close.Reason != reason || e.Close.Local {
				t.Fatalf("close %d: event close %+v, want code %d reason %q from the server", code, e.Close, code, reason)
			}
			_, _, err := c.Read(ctxT(t))
			if ce := wantClose(t, err, code); ce.Reason != reason {
				t.Fatalf("Read: close reason %q, want %q", ce.Reason, reason)
			}
			if c.State() != sdk.StateClosed {
				t.Fatalf("State = %v, want closed", c.State())
			}
			if n := f.accepted(); n != 1 {
				t.Fatalf("server accepted %d upgrades after a final close, want 1", n)
			}
		})
	}
	for _, code := range retry {
		t.Run(fmt.Sprintf("reconnect/%d", code), func(t *testing.T) {
			f := newFixture(t)
			o := fast(nil)
			rec := newRecorder(o)
			c := dial(t, f.closeFirstURL(code, "r"+strconv.Itoa(int(code))), o)
			e := rec.Next(t, "reconnecting or closed", toAny(sdk.StateReconnecting, sdk.StateClosed))
			if e.To != sdk.StateReconnecting || e.From != sdk.StateOpen || e.Attempt != 1 {
				t.Fatalf("close %d: event %v, want reconnecting from open, attempt 1", code, e)
			}
			if e.Close == nil || e.Close.Code != code {
				t.Fatalf("close %d: event close %+v", code, e.Close)
			}
			if e.Delay > 5*time.Millisecond {
				t.Fatalf("close %d: delay %v, want the backoff (≤ 5 ms)", code, e.Delay)
			}
			rec.Next(t, "reopen", to(sdk.StateOpen))
			echo(t, c, "back")
			if n := f.accepted(); n != 2 {
				t.Fatalf("server accepted %d upgrades, want 2", n)
			}
		})
	}
	// 1006: the connection ends with no close frame at all.
	t.Run("reconnect/1006", func(t *testing.T) {
		f := newFixture(t)
		o := fast(nil)
		rec := newRecorder(o)
		c := dial(t, f.url("/echo"), o)
		rec.Next(t, "open", to(sdk.StateOpen))
		f.drop()
		e := rec.Next(t, "reconnecting", toAny(sdk.StateReconnecting, sdk.StateClosed))
		if e.To != sdk.StateReconnecting || e.Close == nil || e.Close.Code != sdk.StatusAbnormalClosure {
			t.Fatalf("event %v, want reconnecting after close 1006", e)
		}
		rec.Next(t, "reopen", to(sdk.StateOpen))
		echo(t, c, "back")
	})
	// 1012 and 1013: reconnect, but wait 5–10 s (on a fake clock here),
	// with the default backoff: a Backoff.Max under 5 s caps the wait.
	for _, code := range []sdk.StatusCode{sdk.StatusServiceRestart, sdk.StatusTryAgainLater} {
		t.Run(fmt.Sprintf("reconnect-after-5s/%d", code), func(t *testing.T) {
			f := newFixture(t)
			clk := fakeclock.New(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
			o := fast(nil)
			o.Backoff = sdk.Backoff{}
			sdkhooks.Of(o).Clock = clk
			rec := newRecorder(o)
			c := dial(t, f.closeFirstURL(code, "deploy"), o)
			e := rec.Next(t, "reconnecting", toAny(sdk.StateReconnecting, sdk.StateClosed))
			if e.To != sdk.StateReconnecting || e.Close == nil || e.Close.Code != code {
				t.Fatalf("event %v, want reconnecting after close %d", e, code)
			}
			if e.Delay < 5*time.Second || e.Delay > 10*time.Second {
				t.Fatalf("delay after %d = %v, want 5–10 s", code, e.Delay)
			}
			if err := clk.WaitFor(ctxT(t), e.Delay); err != nil {
				t.Fatal(err)
			}
			if n := f.accepted(); n != 1 {
				t.Fatalf("reconnected before the wait elapsed (%d upgrades)", n)
			}
			clk.Advance(e.Delay)
			rec.Next(t, "reopen", to(sdk.StateOpen))
			echo(t, c, "back")
		})
	}
	t.Run("reconnect-capped/1012", func(t *testing.T) {
		f := newFixture(t)
		o := fast(nil) // Backoff.Max 5 ms: the app asked for its cap
		rec := newRecorder(o)
		c := dial(t, f.closeFirstURL(sdk.StatusServiceRestart, "deploy"), o)
		e := rec.Next(t, "reconnecting", toAny(sdk.StateReconnecting, sdk.StateClosed))
		if e.To != sdk.StateReconnecting || e.Delay > 5*time.Millisecond {
			t.Fatalf("event %v, want reconnecting within Backoff.Max (5 ms)", e)
		}
		rec.Next(t, "reopen", to(sdk.StateOpen))
		echo(t, c, "back")
	})
	// The app's own Close is final, even with a code that would reconnect.
	t.Run("app-close/4000", func(t *testing.T) {
		f := newFixture(t)
		o := fast(nil)
		rec := newRecorder(o)
		c := dial(t, f.url("/echo"), o)
		if err := c.Close(4000, "app"); err != nil {
			t.Fatalf("Close: %v", err)
		}
		e := rec.Next(t, "closed", toAny(sdk.StateReconnecting, sdk.StateClosed))
		if e.To != sdk.StateClosed || !e.Final || e.Err != nil {
			t.Fatalf("event %v, want a final close with no error", e)
		}
		f.waitLive(0)
		if n := f.accepted(); n != 1 {
			t.Fatalf("server accepted %d upgrades after the app's Close, want 1", n)
		}
	})
}

// TestCloseReasonHint: a JSON hint in the close reason beats the code.
func TestCloseReasonHint(t *testing.T) {
	t.Run("reconnect-false", func(t *testing.T) {
		f := newFixture(t)
		o := fast(nil)
		rec := newRecorder(o)
		// 1001 alone would reconnect.
		c := dial(t, f.closeFirstURL(sdk.StatusGoingAway, `{"reconnect":false}`), o)
		_, _, err := c.Read(ctxT(t))
		if ce := wantClose(t, err, sdk.StatusGoingAway); ce.Reason != `{"reconnect":false}` {
			t.Fatalf("reason %q", ce.Reason)
		}
		if e := rec.Next(t, "closed", toAny(sdk.StateReconnecting, sdk.StateClosed)); e.To != sdk.StateClosed || !e.Final {
			t.Fatalf("event %v, want final", e)
		}
		if n := f.accepted(); n != 1 {
			t.Fatalf("server accepted %d upgrades, want 1", n)
		}
	})
	t.Run("retryAfterMs", func(t *testing.T) {
		f := newFixture(t)
		o := fast(nil)
		rec := newRecorder(o)
		// 4500 alone would be final; the hint asks for a retry in 40 ms.
		c := dial(t, f.closeFirstURL(4500, `{"retryAfterMs":40}`), o)
		e := rec.Next(t, "reconnecting", toAny(sdk.StateReconnecting, sdk.StateClosed))
		if e.To != sdk.StateReconnecting || e.Delay != 40*time.Millisecond {
			t.Fatalf("event %v, want reconnecting in exactly 40ms", e)
		}
		rec.Next(t, "reopen", to(sdk.StateOpen))
		echo(t, c, "back")
	})
}

// TestFinalCloseErrors: what every call returns once the server ended the
// Conn for good.
func TestFinalCloseErrors(t *testing.T) {
	f := newFixture(t)
	o := fast(nil)
	rec := newRecorder(o)
	c := dial(t, f.url("/close?code=1008&reason=token+expired&after=20"), o)
	_, _, err := c.Read(ctxT(t))
	ce := wantClose(t, err, sdk.StatusPolicyViolation)
	if ce.Reason != "token expired" || ce.Local {
		t.Fatalf("close = %+v, want reason 'token expired' from the server", ce)
	}
	e := rec.Next(t, "closed", to(sdk.StateClosed))
	if !e.Final || e.Close == nil || e.Close.Code != sdk.StatusPolicyViolation || !errors.Is(e.Err, sdk.ErrClosed) {
		t.Fatalf("closed event = %+v", e)
	}
	if c.State() != sdk.StateClosed {
		t.Fatalf("State = %v", c.State())
	}
	// Every later call fails the same typed way, at once.
	err = c.Write(ctxT(t), sdk.MessageText, []byte("x"))
	if ce := wantClose(t, err, sdk.StatusPolicyViolation); ce.Reason != "token expired" {
		t.Fatalf("Write after final close: %+v", ce)
	}
	_, _, err = c.Read(ctxT(t))
	wantClose(t, err, sdk.StatusPolicyViolation)
	_ = c.Close(sdk.StatusNormalClosure, "") // must not hang
	if err := c.Close(sdk.StatusNormalClosure, ""); !errors.Is(err, sdk.ErrClosed) {
		t.Fatalf("second Close after a final close = %v, want ErrClosed", err)
	}
	if n := f.accepted(); n != 1 {
		t.Fatalf("server accepted %d upgrades after a final close, want 1", n)
	}
}

func TestCloseTwice(t *testing.T) {
	f := newFixture(t)
	o := fast(nil)
	rec := newRecorder(o)
	c := dial(t, f.url("/echo"), o)
	echo(t, c, "hi")
	if err := c.Close(sdk.StatusNormalClosure, "bye"); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if c.State() != sdk.StateClosed {
		t.Fatalf("State after Close = %v", c.State())
	}
	if err := c.Close(sdk.StatusNormalClosure, "again"); !errors.Is(err, sdk.ErrClosed) {
		t.Fatalf("second Close = %v, want ErrClosed", err)
	}
	_, _, err := c.Read(ctxT(t))
	if ce := wantClose(t, err, sdk.StatusNormalClosure); !ce.Local || ce.Reason != "bye" {
		t.Fatalf("Read after Close = %+v, want local 1000 bye", ce)
	}
	if err := c.Write(ctxT(t), sdk.MessageText, []byte("x")); !errors.Is(err, sdk.ErrClosed) {
		t.Fatalf("Write after Close = %v, want ErrClosed", err)
	}
	e := rec.Next(t, "closed", to(sdk.StateClosed))
	if !e.Final || e.Err != nil || e.From != sdk.StateOpen {
		t.Fatalf("closed event %v", e)
	}
	f.waitLive(0) // the server saw the close: no connection left behind
}

func TestCloseWhileReconnecting(t *testing.T) {
	f := newFixture(t)
	o := fast(nil)
	o.Backoff = sdk.Backoff{Initial: time.Hour, Max: time.Hour}
	rec := newRecorder(o)
	c := dial(t, f.url("/echo"), o)
	f.drop()
	rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
	start := time.Now()
	if err := c.Close(4001, "bye"); err != nil {
		t.Fatalf("Close while reconnecting: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Close while reconnecting took %v: it waited out the backoff", d)
	}
	if c.State() != sdk.StateClosed {
		t.Fatalf("State = %v", c.State())
	}
	_, _, err := c.Read(ctxT(t))
	if ce := wantClose(t, err, 4001); !ce.Local || ce.Reason != "bye" {
		t.Fatalf("Read after Close = %+v", ce)
	}
	if err := c.Close(sdk.StatusNormalClosure, ""); !errors.Is(err, sdk.ErrClosed) {
		t.Fatalf("second Close = %v, want ErrClosed", err)
	}
	if n := f.accepted(); n != 1 {
		t.Fatalf("server accepted %d upgrades, want 1", n)
	}
}

// TestConcurrentClose: of many simultaneous Closes exactly one does the
// work; the others return ErrClosed, and none hangs.
func TestConcurrentClose(t *testing.T) {
	f := newFixture(t)
	c := dial(t, f.url("/echo"), fast(nil))
	const n = 8
	errs := make(chan error, n)
	for range n {
		go func() { errs <- c.Close(sdk.StatusNormalClosure, "") }()
	}
	nils := 0
	for range n {
		select {
		case err := <-errs:
			switch {
			case err == nil:
				nils++
			case !errors.Is(err, sdk.ErrClosed):
				t.Errorf("concurrent Close = %v, want nil or ErrClosed", err)
			}
		case <-time.After(testTimeout):
			t.Fatal("a concurrent Close hung")
		}
	}
	if nils != 1 {
		t.Fatalf("%d of %d concurrent Closes returned nil, want exactly 1", nils, n)
	}
}

// TestCloseFromStateCallback: OnStateChange may call Close (say, to give up
// on the first drop) without deadlocking the Conn.
func TestCloseFromStateCallback(t *testing.T) {
	f := newFixture(t)
	o := fast(nil)
	var conn atomic.Pointer[sdk.Conn]
	closeErr := make(chan error, 1)
	o.OnStateChange = func(e sdk.StateChange) {
		if e.To == sdk.StateReconnecting {
			if c := conn.Load(); c != nil && conn.CompareAndSwap(c, nil) {
				closeErr <- c.Close(4002, "giving up")
			}
		}
	}
	c := dial(t, f.url("/echo"), o)
	conn.Store(c)
	f.drop()
	select {
	case err := <-closeErr:
		if err != nil {
			t.Fatalf("Close from OnStateChange: %v", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("Close from OnStateChange hung")
	}
	_, _, err := c.Read(ctxT(t))
	if ce := wantClose(t, err, 4002); !ce.Local {
		t.Fatalf("Read after Close = %+v, want local", ce)
	}
}

// TestBufferedMessagesReadAfterFinalClose: messages that arrived before a
// final close are still returned by Read, in order, before the close error.
func TestBufferedMessagesReadAfterFinalClose(t *testing.T) {
	f := newFixture(t)
	o := fast(nil)
	rec := newRecorder(o)
	c := dial(t, f.url("/echo"), o)
	rec.Next(t, "open", to(sdk.StateOpen))
	ctx := ctxT(t)
	const n = 6
	for i := range n {
		if err := c.Write(ctx, sdk.MessageText, []byte(strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	// The server echoes each message before it reads the next: once it has
	// the last one, the echoes of all others are on the wire.
	f.waitReceived("/echo", n)
	f.closeAll(4500, "done here")
	if e := rec.Next(t, "closed", toAny(sdk.StateReconnecting, sdk.StateClosed)); e.To != sdk.StateClosed {
		t.Fatalf("event %v, want final close", e)
	}
	for i := range n {
		_, p, err := c.Read(ctx)
		if err != nil {
			if i < n-1 {
				t.Fatalf("Read %d after the final close = %v; %d echoes were sent before it", i, err, n-1)
			}
			wantClose(t, err, 4500)
			return
		}
		if string(p) != strconv.Itoa(i) {
			t.Fatalf("Read %d after the final close = %q", i, p)
		}
	}
	_, _, err := c.Read(ctx)
	if ce := wantClose(t, err, 4500); ce.Reason != "done here" {
		t.Fatalf("close %+v", ce)
	}
}
