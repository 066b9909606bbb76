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

	"github.com/redial-ws/redial/internal/fakeclock"
	"github.com/redial-ws/redial/internal/sdkhooks"
	"github.com/redial-ws/redial/sdk"
)

// TestHandshakeStatusFinal: 400/401/403/404 end Dial at once with the
// status, without a retry.
func TestHandshakeStatusFinal(t *testing.T) {
	skipHandshakeStatus(t)
	for _, code := range []int{400, 401, 403, 404} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			f := newFixture(t)
			o := fast(nil)
			rec := newRecorder(o)
			_, err := sdk.Dial(ctxT(t), f.url(fmt.Sprintf("/status?code=%d", code)), o)
			var he *sdk.HandshakeError
			if !errors.As(err, &he) || he.StatusCode != code {
				t.Fatalf("Dial = %v, want *HandshakeError %d", err, code)
			}
			if e := rec.Next(t, "closed", toAny(sdk.StateReconnecting, sdk.StateClosed)); e.To != sdk.StateClosed || !e.Final {
				t.Fatalf("event %v, want final with no retry", e)
			}
		})
	}
}

// TestUnauthorizedRefreshesOnceThenStops: with a URLFunc a 401 asks it
// once more for fresh credentials, then gives up.
func TestUnauthorizedRefreshesOnceThenStops(t *testing.T) {
	skipHandshakeStatus(t)
	f := newFixture(t)
	var calls atomic.Int32
	o := fast(nil)
	o.URLFunc = func(context.Context) (string, error) {
		return f.url("/status?code=401&token=" + strconv.Itoa(int(calls.Add(1)))), nil
	}
	_, err := sdk.Dial(ctxT(t), "", o)
	var he *sdk.HandshakeError
	if !errors.As(err, &he) || he.StatusCode != 401 {
		t.Fatalf("Dial = %v, want *HandshakeError 401", err)
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("URLFunc called %d times, want 2 (once more after the 401, then stop)", n)
	}
	if q := f.lastUpgrade().RawQuery; !strings.Contains(q, "token=2") {
		t.Fatalf("last attempt's query %q, want the refreshed token=2", q)
	}
}

// TestRetryAfterHonoured: 429/503 with Retry-After: 7 wait 7–8.4 s (on a
// fake clock), then connect.
func TestRetryAfterHonoured(t *testing.T) {
	skipHandshakeStatus(t)
	for _, status := range []int{429, 503} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			f := newFixture(t)
			clk := fakeclock.New(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
			o := fast(nil)
			o.Backoff = sdk.Backoff{} // the default 30 s cap: Retry-After 7 s is not capped
			sdkhooks.Of(o).Clock = clk
			rec := newRecorder(o)
			type result struct {
				c   *sdk.Conn
				err error
			}
			done := make(chan result, 1)
			go func() {
				c, err := sdk.Dial(ctxT(t), f.url(fmt.Sprintf("/statusfirst?code=%d&retryAfter=7&n=1", status)), o)
				done <- result{c, err}
			}()
			e := rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
			if e.Delay < 7*time.Second || e.Delay > 8400*time.Millisecond {
				t.Fatalf("delay after %d Retry-After: 7 = %v, want 7–8.4 s", status, e.Delay)
			}
			var he *sdk.HandshakeError
			if !errors.As(e.Err, &he) || he.StatusCode != status {
				t.Fatalf("event err = %v, want *HandshakeError %d", e.Err, status)
			}
			if d, ok := he.RetryAfter(clk.Now()); !ok || d != 7*time.Second {
				t.Fatalf("RetryAfter = %v %v, want 7s", d, ok)
			}
			if err := clk.WaitFor(ctxT(t), e.Delay); err != nil {
				t.Fatal(err)
			}
			clk.Advance(e.Delay)
			r := <-done
			if r.err != nil {
				t.Fatalf("Dial after Retry-After: %v", r.err)
			}
			defer r.c.Close(sdk.StatusNormalClosure, "")
			echo(t, r.c, "after retry-after")
		})
	}
}

// TestHandshake5xxRetried: a server answering 500 to the upgrade is
// retried with backoff until it accepts. Natively the status is seen and
// classified; in the browser it looks like a refused connection, which is
// retried the same way — same outcome on both.
func TestHandshake5xxRetried(t *testing.T) {
	f := newFixture(t)
	o := fast(nil)
	rec := newRecorder(o)
	c := dial(t, f.url("/statusfirst?code=500&n=2"), o)
	for want := 1; want <= 2; want++ {
		e := rec.Next(t, "retry", toAny(sdk.StateReconnecting, sdk.StateOpen, sdk.StateClosed))
		if e.To != sdk.StateReconnecting || e.Attempt != want {
			t.Fatalf("event %v, want retry attempt %d", e, want)
		}
		if !inBrowser {
			var he *sdk.HandshakeError
			if !errors.As(e.Err, &he) || he.StatusCode != 500 {
				t.Fatalf("retry err = %v, want *HandshakeError 500", e.Err)
			}
		}
	}
	rec.Next(t, "open", to(sdk.StateOpen))
	echo(t, c, "after 500s")
}

// TestHandshakeRefusalBoundedInBrowser: in the browser a 401 is invisible,
// so it is retried like a refused connection; MaxRetries bounds it
// (sdk/doc.go). Natively TestHandshakeStatusFinal covers 401.
func TestHandshakeRefusalBoundedInBrowser(t *testing.T) {
	if !inBrowser {
		t.Skip("native: a 401 is final at once with *HandshakeError (TestHandshakeStatusFinal)")
	}
	f := newFixture(t)
	o := fast(nil)
	o.MaxRetries = 2
	_, err := sdk.Dial(ctxT(t), f.url("/status?code=401"), o)
	if !errors.Is(err, sdk.ErrRetriesExhausted) {
		t.Fatalf("Dial to a 401 in the browser with MaxRetries 2 = %v, want ErrRetriesExhausted", err)
	}
}

func TestBadAcceptIsFinal(t *testing.T) {
	skipInBrowser(t, "the browser checks Sec-WebSocket-Accept itself and JS sees only a refused connection (close 1006)")
	f := newFixture(t)
	o := fast(nil)
	rec := newRecorder(o)
	_, err := sdk.Dial(ctxT(t), f.url("/badaccept"), o)
	var he *sdk.HandshakeError
	if !errors.As(err, &he) || !strings.Contains(err.Error(), "Sec-WebSocket-Accept") {
		t.Fatalf("Dial = %v, want *HandshakeError about Sec-WebSocket-Accept", err)
	}
	if e := rec.Next(t, "closed", toAny(sdk.StateReconnecting, sdk.StateClosed)); e.To != sdk.StateClosed {
		t.Fatalf("event %v, want final with no retry", e)
	}
}

func TestNoSubprotocolIsFinal(t *testing.T) {
	skipInBrowser(t, "Chromium fails a handshake that agreed to none of the offered subprotocols before JS sees it open (a refused connection, close 1006)")
	f := newFixture(t)
	o := fast(nil)
	o.Subprotocols = []string{"redial.v1"}
	rec := newRecorder(o)
	_, err := sdk.Dial(ctxT(t), f.url("/noproto"), o)
	var he *sdk.HandshakeError
	if !errors.As(err, &he) || !strings.Contains(err.Error(), "subprotocol") {
		t.Fatalf("Dial = %v, want *HandshakeError about subprotocols", err)
	}
	if e := rec.Next(t, "closed", toAny(sdk.StateReconnecting, sdk.StateClosed)); e.To != sdk.StateClosed {
		t.Fatalf("event %v, want final with no retry", e)
	}
	if n := f.accepted(); n != 1 {
		t.Fatalf("server accepted %d upgrades; a final failure must not retry", n)
	}
}
