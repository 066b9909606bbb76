package sdk_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redial-ws/redial/internal/sdkhooks"
	"github.com/redial-ws/redial/sdk"
)

func TestPolicyOverride(t *testing.T) {
	s := startServer(t)
	o := fast(nil)
	var seen []sdk.RetryContext
	// An app that treats 4000 as final, and otherwise keeps the defaults.
	o.Policy = func(rc sdk.RetryContext) (time.Duration, bool) {
		seen = append(seen, rc)
		if rc.Close != nil && rc.Close.Code == 4000 {
			return 0, false
		}
		return sdk.DefaultPolicy(rc)
	}
	c := dial(t, s.URL("/close?code=4000&reason=kicked"), o)
	_, _, err := c.Read(ctxT(t))
	wantClose(t, err, 4000)
	if len(seen) != 1 || seen[0].Attempt != 1 || seen[0].Backoff > 5*time.Millisecond {
		t.Fatalf("policy saw %+v", seen)
	}
}

func TestMaxElapsedEndsRetries(t *testing.T) {
	s := startServer(t)
	clk := newClock()
	o := fast(nil)
	sdkhooks.Of(o).Clock = clk
	o.Backoff = sdk.Backoff{Initial: time.Second, NoJitter: true}
	o.MaxElapsed = 5 * time.Second
	rec := newRecorder(o)
	c := dial(t, s.URL("/echo"), o)
	s.Stop()
	// Waits of 1 s, 2 s fit in 5 s; the next (4 s, at 3 s elapsed) does not.
	for _, d := range []time.Duration{time.Second, 2 * time.Second} {
		e := rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
		if e.Delay != d {
			t.Fatalf("delay %v, want %v", e.Delay, d)
		}
		if err := clk.WaitFor(ctxT(t), d); err != nil {
			t.Fatal(err)
		}
		clk.Advance(d)
	}
	e := rec.Next(t, "closed", to(sdk.StateClosed))
	if !errors.Is(e.Err, sdk.ErrRetriesExhausted) || !strings.Contains(e.Err.Error(), "MaxElapsed") {
		t.Fatalf("final err = %v", e.Err)
	}
	if _, _, err := c.Read(ctxT(t)); !errors.Is(err, sdk.ErrRetriesExhausted) || !errors.Is(err, sdk.ErrClosed) {
		t.Fatalf("Read = %v", err)
	}
}

func TestEventsInOrderAndCallbackMayClose(t *testing.T) {
	s := startServer(t)
	o := fast(nil)
	var got []string
	done := make(chan struct{})
	var c *sdk.Conn
	ready := make(chan struct{})
	o.OnStateChange = func(e sdk.StateChange) {
		got = append(got, e.From.String()+"→"+e.To.String())
		switch {
		case e.To == sdk.StateOpen && e.Attempt > 0:
			<-ready
			_ = c.Close(sdk.StatusNormalClosure, "from callback") // must not deadlock
		case e.To == sdk.StateClosed:
			close(done)
		}
		if e.To == sdk.StateReconnecting {
			panic("a buggy callback must not take the connection down")
		}
	}
	var err error
	c, err = sdk.Dial(ctxT(t), s.URL("/echo"), o)
	if err != nil {
		t.Fatal(err)
	}
	close(ready)
	s.Drop()
	select {
	case <-done:
	case <-time.After(testTimeout):
		t.Fatal("no closed event")
	}
	want := "connecting→open open→reconnecting reconnecting→open open→closed"
	if strings.Join(got, " ") != want {
		t.Fatalf("events %q, want %q", strings.Join(got, " "), want)
	}
}

func FuzzCloseReasonNeverPanics(f *testing.F) {
	for _, s := range []string{`{"reconnect":false}`, `{"retryAfterMs":12}`, `{"a":[1]}`, `{"`, `{}`, `{"retryAfterMs":-1,"reconnect":true}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, reason string) {
		ce := &sdk.CloseError{Code: 1011, Reason: reason}
		d, _ := sdk.DefaultPolicy(sdk.RetryContext{Err: ce, Close: ce, Backoff: time.Second, MaxDelay: 30 * time.Second})
		if d < 0 {
			t.Fatalf("negative delay %v for %q", d, reason)
		}
	})
}
