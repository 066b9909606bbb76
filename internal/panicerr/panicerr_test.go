package panicerr

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type record struct {
	msg  string
	args []any
}

type recorder struct {
	mu   sync.Mutex
	recs []record
}

func (r *recorder) Error(msg string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, record{msg, args})
}

//go:noinline
func panicsWith(v any) { panic(v) }

func catch(v any) (err error) {
	defer func() { err = New(recover()) }()
	panicsWith(v)
	return nil
}

func TestNewKeepsValueAndStack(t *testing.T) {
	err := catch("boom")
	var pe *Error
	if !errors.As(err, &pe) || err.Error() != "panic: boom" || pe.Value != "boom" {
		t.Fatalf("err = %#v, want an *Error worded %q", err, "panic: boom")
	}
	// The stack is the panicking goroutine's, taken before it unwound.
	if !strings.Contains(pe.Stack, "panicerr.panicsWith") || !strings.Contains(pe.Stack, "goroutine ") {
		t.Fatalf("stack lacks the panicking frame:\n%s", pe.Stack)
	}
}

func TestNewUnwrapsAnErrorValue(t *testing.T) {
	cause := errors.New("cause")
	err := catch(fmt.Errorf("wrapped: %w", cause))
	if !errors.Is(err, cause) || err.Error() != "panic: wrapped: cause" {
		t.Fatalf("err = %v, want it worded and matching the panicked error", err)
	}
	if err := catch(42); errors.Unwrap(err) != nil || err.Error() != "panic: 42" {
		t.Fatalf("panic(42) = %v, unwraps to %v", err, errors.Unwrap(err))
	}
}

func TestNewNil(t *testing.T) {
	if err := New(nil); err != nil {
		t.Fatalf("New(nil) = %v", err)
	}
}

func TestLogReportsThePanic(t *testing.T) {
	var rec recorder
	func() {
		defer Log(&rec, "redial: listener panicked")
		panicsWith("boom")
	}()
	if len(rec.recs) != 1 {
		t.Fatalf("%d records, want 1", len(rec.recs))
	}
	r := rec.recs[0]
	if r.msg != "redial: listener panicked" || len(r.args) != 4 || r.args[0] != "err" || r.args[2] != "stack" {
		t.Fatalf("record = %q %v", r.msg, r.args)
	}
	if e, ok := r.args[1].(*Error); !ok || e.Value != "boom" || !strings.Contains(r.args[3].(string), "panicerr.panicsWith") {
		t.Fatalf("record args = %v", r.args)
	}
}

func TestLogWithoutPanicOrLogger(t *testing.T) {
	var rec recorder
	func() { defer Log(&rec, "x") }()
	if len(rec.recs) != 0 {
		t.Fatalf("logged %v with no panic", rec.recs)
	}
	func() { // a nil logger still stops the panic
		defer Log(nil, "x")
		panicsWith("boom")
	}()
}
