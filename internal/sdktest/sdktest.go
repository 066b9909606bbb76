// Package sdktest holds the client-side test helpers that the SDK's own
// tests (sdk) and the cross-platform conformance suite (test/conformance)
// share: waits on events with deadlines, never sleeps.
package sdktest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redial-ws/redial/internal/fakeclock"
	"github.com/redial-ws/redial/sdk"
)

// Timeout bounds every wait in a test.
const Timeout = 10 * time.Second

// Ctx is a context that ends with the test, or after Timeout.
func Ctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	t.Cleanup(cancel)
	return ctx
}

// Fast is o (or new Options) with millisecond backoff and no heartbeat,
// so reconnect tests on the real clock take milliseconds.
func Fast(o *sdk.Options) *sdk.Options {
	if o == nil {
		o = &sdk.Options{}
	}
	o.Backoff = sdk.Backoff{Initial: time.Millisecond, Max: 5 * time.Millisecond}
	o.NoHeartbeat = true
	return o
}

// NewClock is a fake clock at a fixed start.
func NewClock() *fakeclock.Clock {
	return fakeclock.New(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
}

// Recorder collects a Conn's StateChanges in order.
type Recorder struct{ C chan sdk.StateChange }

// NewRecorder installs a Recorder as o.OnStateChange.
func NewRecorder(o *sdk.Options) *Recorder {
	r := &Recorder{C: make(chan sdk.StateChange, 4096)}
	o.OnStateChange = func(e sdk.StateChange) { r.C <- e }
	return r
}

// Next waits for the next event that matches pred, failing on timeout.
func (r *Recorder) Next(t *testing.T, what string, pred func(sdk.StateChange) bool) sdk.StateChange {
	t.Helper()
	timer := time.NewTimer(Timeout)
	defer timer.Stop()
	for {
		select {
		case e := <-r.C:
			if pred(e) {
				return e
			}
		case <-timer.C:
			t.Fatalf("timed out waiting for event: %s", what)
		}
	}
}

// Drain returns the events waiting, as text, for a failure message.
func (r *Recorder) Drain() []string {
	var out []string
	for {
		select {
		case e := <-r.C:
			out = append(out, e.String())
		default:
			return out
		}
	}
}

// To matches events that enter state s.
func To(s sdk.State) func(sdk.StateChange) bool {
	return func(e sdk.StateChange) bool { return e.To == s }
}

// ToAny matches events that enter any of ss.
func ToAny(ss ...sdk.State) func(sdk.StateChange) bool {
	return func(e sdk.StateChange) bool {
		for _, s := range ss {
			if e.To == s {
				return true
			}
		}
		return false
	}
}

// Dial opens a Conn that the test's cleanup closes.
func Dial(t *testing.T, url string, o *sdk.Options) *sdk.Conn {
	t.Helper()
	c, err := sdk.Dial(Ctx(t), url, o)
	if err != nil {
		t.Fatalf("Dial(%s): %v", url, err)
	}
	t.Cleanup(func() { _ = c.Close(sdk.StatusNormalClosure, "") })
	return c
}

// Echo writes msg and expects it back, as text.
func Echo(t *testing.T, c *sdk.Conn, msg string) {
	t.Helper()
	ctx := Ctx(t)
	if err := c.Write(ctx, sdk.MessageText, []byte(msg)); err != nil {
		t.Fatalf("Write(%q): %v", msg, err)
	}
	typ, p, err := c.Read(ctx)
	if err != nil || typ != sdk.MessageText || string(p) != msg {
		t.Fatalf("Read = %v %q %v, want text %q", typ, p, err, msg)
	}
}

// WantClose checks err is a final close with code: errors.As gives the
// *CloseError and errors.Is matches ErrClosed.
func WantClose(t *testing.T, err error, code sdk.StatusCode) *sdk.CloseError {
	t.Helper()
	var ce *sdk.CloseError
	if !errors.As(err, &ce) || ce.Code != code {
		t.Fatalf("err = %v, want *CloseError with code %d", err, code)
	}
	if !errors.Is(err, sdk.ErrClosed) {
		t.Fatalf("err = %v does not match ErrClosed", err)
	}
	return ce
}
