package sdk_test

import (
	"context"
	"errors"
	"github.com/redial-ws/redial/internal/sdkhooks"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redial-ws/redial/sdk"
)

// TestCallbackPanics: a panic in the app's Policy, URLFunc or HeaderFunc
// (called on redial's supervisor goroutine after a drop) ends the Conn
// with an error matching ErrCallbackPanic and ErrClosed, holding the panic
// value; a panicking Rand or Logger leaves the Conn reconnecting. Before
// the fix each of the five crashed the test binary.
func TestCallbackPanics(t *testing.T) {
	for _, which := range []string{"Policy", "URLFunc", "HeaderFunc", "Rand", "Logger"} {
		t.Run(which, func(t *testing.T) {
			s := startServer(t)
			var armed atomic.Bool
			boom := func() {
				if armed.Load() {
					panic("boom from " + which)
				}
			}
			o := fast(nil)
			switch which {
			case "Policy":
				o.Policy = func(rc sdk.RetryContext) (time.Duration, bool) { boom(); return sdk.DefaultPolicy(rc) }
			case "URLFunc":
				o.URLFunc = func(context.Context) (string, error) { boom(); return s.URL("/echo"), nil }
			case "HeaderFunc":
				o.HeaderFunc = func(context.Context) (map[string][]string, error) { boom(); return nil, nil }
			case "Rand":
				sdkhooks.Of(o).Rand = func() float64 { boom(); return 0.5 }
			case "Logger":
				o.Logger = panicLogger{&armed}
			}
			rec := newRecorder(o)
			c := dial(t, s.URL("/echo"), o)
			armed.Store(true)
			s.Drop()
			switch which {
			case "Rand", "Logger":
				rec.Next(t, "reopen", func(e sdk.StateChange) bool { return e.To == sdk.StateOpen && e.Attempt > 0 })
				echo(t, c, "still here")
				if err := c.Close(sdk.StatusNormalClosure, ""); err != nil {
					t.Fatal(err)
				}
			default:
				_, _, err := c.Read(ctxT(t))
				if !errors.Is(err, sdk.ErrCallbackPanic) || !errors.Is(err, sdk.ErrClosed) || !strings.Contains(err.Error(), "boom from "+which) {
					t.Fatalf("Read after the panic = %v; want ErrCallbackPanic and ErrClosed with the panic value", err)
				}
				if !strings.Contains(err.Error(), "callbacks_test.go") {
					t.Errorf("want the stack in the error, got %v", err)
				}
			}
		})
	}
}

type panicLogger struct{ armed *atomic.Bool }

func (p panicLogger) Debug(string, ...any) {
	if p.armed.Load() {
		panic("logger")
	}
}
func (p panicLogger) Warn(string, ...any)  {}
func (p panicLogger) Error(string, ...any) {}
