// Package panicerr turns a recovered panic into an error that carries the
// panicking goroutine's stack, so a panic stopped at a boundary (a JS
// callback, a wasm export) is reported instead of swallowed. The model is
// hack-pad/safejs's internal/catch (a panic value becomes an error, with
// the stack kept beside it); this one has no build tag, so native tests
// check it too.
package panicerr

import (
	"fmt"
	"runtime"
)

// Error is a recovered panic.
type Error struct {
	// Value is what was passed to panic.
	Value any
	// Stack is the panicking goroutine's stack in runtime.Stack's format,
	// the frames that panicked included; at most stackMax bytes.
	Stack string
}

// stackMax bounds Stack: the frames that matter are at the top.
const stackMax = 16 << 10

// Error is "panic: " and the value; the stack is in Stack (Log logs it).
func (e *Error) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Unwrap is the value when it is an error, so errors.Is and errors.As see
// through a panic(err).
func (e *Error) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// New returns an *Error for r, a value recover returned, or nil when r is
// nil (no panic). Call it in the deferred function that recovered: the
// stack is taken there, while the panicking frames are still on it.
func New(r any) error {
	if r == nil {
		return nil
	}
	buf := make([]byte, stackMax)
	return &Error{Value: r, Stack: string(buf[:runtime.Stack(buf, false)])}
}

// Logger is where Log reports: sdk.Logger and *slog.Logger satisfy it.
type Logger interface {
	Error(msg string, args ...any)
}

// Log, deferred, stops a panic and logs it on log as msg, with the
// *Error as "err" and its stack as "stack". A nil log drops the record,
// never the recovery. Use New(recover()) instead where the caller must
// also act on the panic.
func Log(log Logger, msg string) {
	if err := New(recover()); err != nil && log != nil {
		Report(log, msg, err)
	}
}

// Report logs err as Log does: with its stack when it is an *Error.
func Report(log Logger, msg string, err error) {
	if e, ok := err.(*Error); ok {
		log.Error(msg, "err", e, "stack", e.Stack)
		return
	}
	log.Error(msg, "err", err)
}
