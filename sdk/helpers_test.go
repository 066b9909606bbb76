package sdk_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/redial-ws/redial/internal/fakeclock"
	"github.com/redial-ws/redial/internal/testserver"
	"github.com/redial-ws/redial/sdk"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testTimeout bounds every wait in a test: events are awaited, never slept on.
const testTimeout = 10 * time.Second

func startServer(t *testing.T) *testserver.Server {
	t.Helper()
	s, err := testserver.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// fast is Options with millisecond backoff, so reconnect tests on the
// real clock take milliseconds.
func fast(o *sdk.Options) *sdk.Options {
	if o == nil {
		o = &sdk.Options{}
	}
	o.Backoff = sdk.Backoff{Initial: time.Millisecond, Max: 5 * time.Millisecond}
	o.NoHeartbeat = true
	return o
}

// recorder collects StateChanges in order.
type recorder struct{ ch chan sdk.StateChange }

func newRecorder(o *sdk.Options) *recorder {
	r := &recorder{ch: make(chan sdk.StateChange, 1024)}
	o.OnStateChange = func(e sdk.StateChange) { r.ch <- e }
	return r
}

// next waits for the next event that matches pred, failing on timeout.
func (r *recorder) next(t *testing.T, what string, pred func(sdk.StateChange) bool) sdk.StateChange {
	t.Helper()
	timer := time.NewTimer(testTimeout)
	defer timer.Stop()
	for {
		select {
		case e := <-r.ch:
			if pred(e) {
				return e
			}
		case <-timer.C:
			t.Fatalf("timed out waiting for event: %s", what)
		}
	}
}

func to(s sdk.State) func(sdk.StateChange) bool {
	return func(e sdk.StateChange) bool { return e.To == s }
}

func dial(t *testing.T, url string, o *sdk.Options) *sdk.Conn {
	t.Helper()
	c, err := sdk.Dial(ctxT(t), url, o)
	if err != nil {
		t.Fatalf("Dial(%s): %v", url, err)
	}
	t.Cleanup(func() { _ = c.Close(sdk.StatusNormalClosure, "") })
	return c
}

func echo(t *testing.T, c *sdk.Conn, msg string) {
	t.Helper()
	ctx := ctxT(t)
	if err := c.Write(ctx, sdk.MessageText, []byte(msg)); err != nil {
		t.Fatalf("Write(%q): %v", msg, err)
	}
	typ, p, err := c.Read(ctx)
	if err != nil || typ != sdk.MessageText || string(p) != msg {
		t.Fatalf("Read = %v %q %v, want text %q", typ, p, err, msg)
	}
}

func wantClose(t *testing.T, err error, code sdk.StatusCode) *sdk.CloseError {
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

func newClock() *fakeclock.Clock {
	return fakeclock.New(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
}
