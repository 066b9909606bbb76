package sdk

import (
	"github.com/redial-ws/redial/internal/panicerr"

	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"
)

// ErrCallbackPanic: one of the app's callbacks (Options.Policy, URLFunc or
// HeaderFunc) panicked. The Conn ends at once with it (final: the same
// code would panic again); its text holds the panic value and the
// callback's stack. A panicking Rand falls back to math/rand/v2 and a
// panicking Logger is silenced instead; a panic in OnStateChange is
// logged and the Conn goes on. No panic of the app's crosses into
// redial's goroutines, where it would end the process.
var ErrCallbackPanic = errors.New("redial: callback panicked")

// panicError words a recovered panic of the callback named field, with
// the callback's stack. Its text is redacted: a panic value may quote a URL.
func panicError(field string, r any) error {
	pe := panicerr.New(r).(*panicerr.Error)
	return &redactedError{
		msg: fmt.Sprintf("%v: Options.%s: %v\n%s", ErrCallbackPanic, field, pe, pe.Stack),
		err: []error{ErrCallbackPanic, pe},
	}
}

// guardCallbacks wraps the app's callbacks in c so that a panic becomes
// an error or a fallback (see ErrCallbackPanic); c.policy is policy
// guarded, returning the Policy's panic as its error: the supervisor ends
// the Conn with it.
func (c *config) guardCallbacks(policy func(RetryContext) (time.Duration, bool)) {
	if f := c.URLFunc; f != nil {
		c.URLFunc = func(ctx context.Context) (u string, err error) {
			defer func() {
				if r := recover(); r != nil {
					u, err = "", panicError("URLFunc", r)
				}
			}()
			return f(ctx)
		}
	}
	if f := c.HeaderFunc; f != nil {
		c.HeaderFunc = func(ctx context.Context) (h map[string][]string, err error) {
			defer func() {
				if r := recover(); r != nil {
					h, err = nil, panicError("HeaderFunc", r)
				}
			}()
			return f(ctx)
		}
	}
	if f := c.rand; f != nil {
		var broken atomic.Bool
		c.rand = func() (x float64) {
			if broken.Load() {
				return rand.Float64()
			}
			defer func() {
				if r := recover(); r != nil {
					broken.Store(true)
					x = rand.Float64()
					c.log.Error("redial: Options.Rand panicked; using math/rand/v2", "panic", panicerr.New(r))
				}
			}()
			return f()
		}
	}
	c.policy = func(rc RetryContext) (d time.Duration, retry bool, panicErr error) {
		if errors.Is(rc.Err, ErrCallbackPanic) {
			return 0, false, nil // final whatever the policy says: it would panic again
		}
		defer func() {
			if r := recover(); r != nil {
				d, retry, panicErr = 0, false, panicError("Policy", r)
			}
		}()
		d, retry = policy(rc)
		return d, retry, nil
	}
	c.log = &safeLogger{l: c.log}
}

// safeLogger is the app's Logger, silenced for good once it panics: it
// cannot log its own failure.
type safeLogger struct {
	l      Logger
	broken atomic.Bool
}

func (s *safeLogger) call(f func(string, ...any), msg string, args []any) {
	if s.broken.Load() {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			s.broken.Store(true)
		}
	}()
	f(msg, args...)
}

func (s *safeLogger) Debug(msg string, args ...any) { s.call(s.l.Debug, msg, args) }
func (s *safeLogger) Warn(msg string, args ...any)  { s.call(s.l.Warn, msg, args) }
func (s *safeLogger) Error(msg string, args ...any) { s.call(s.l.Error, msg, args) }
