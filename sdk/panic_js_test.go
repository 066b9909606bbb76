//go:build js

package sdk

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/redial-ws/redial/internal/panicerr"
)

// These run in Chromium (make test-browser-go runs them:
// scripts/test-browser-go.sh -run PanicIs ./sdk); the rest of sdk's tests
// need a server on loopback and run natively.

type panicLog struct {
	mu   sync.Mutex
	msgs []string
	errs []error
}

func (l *panicLog) Debug(string, ...any) {}
func (l *panicLog) Warn(string, ...any)  {}
func (l *panicLog) Error(msg string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, msg)
	for i := 0; i+1 < len(args); i += 2 {
		if err, ok := args[i+1].(error); ok && args[i] == "err" {
			l.errs = append(l.errs, err)
		}
	}
}

// wantPanicLogged: one record, its err a *panicerr.Error of value v whose
// stack shows frame.
func (l *panicLog) wantPanicLogged(t *testing.T, v any, frame string) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var pe *panicerr.Error
	if len(l.msgs) != 1 || len(l.errs) != 1 || !errors.As(l.errs[0], &pe) || pe.Value != v {
		t.Fatalf("logged %q %v, want one record of the panic %v", l.msgs, l.errs, v)
	}
	if !strings.Contains(pe.Stack, frame) {
		t.Fatalf("the logged stack lacks %s:\n%s", frame, pe.Stack)
	}
}

// A panic in a browser event listener (online, pageshow,
// visibilitychange) is logged with its stack, not swallowed, and does not
// reach JS: dispatchEvent, which runs the listener, returns normally.
func TestWatchListenerPanicIsLogged(t *testing.T) {
	var log panicLog
	w := newPlatformWatch(&log).(*browserWatch)
	defer w.stop()
	const name = "redial-panic-test"
	w.on(w.target, name, func() { panic("boom") })
	ctor, err := safejs.Global().Get("Event")
	if err != nil {
		t.Fatal(err)
	}
	ev, err := ctor.New(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.target.Call("dispatchEvent", ev); err != nil {
		t.Fatalf("dispatchEvent: %v", err)
	}
	log.wantPanicLogged(t, "boom", "TestWatchListenerPanicIsLogged")
}

// A panic in the socket's event callback, called from JS as the helper
// calls it, is logged with its stack and ends the connection as a local
// failure (1006, the panic as CloseError.Err) instead of vanishing. Here
// the panic is onEvent's close(nil) on a transport made without its
// closed channel.
func TestTransportCallbackPanicIsReported(t *testing.T) {
	var log panicLog
	helper, err := jsHelper()
	if err != nil {
		t.Fatal(err)
	}
	ws, err := safejs.ValueOf(map[string]any{"readyState": wsOpen})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &config{log: &log}
	tr := &browserTransport{ws: ws, cfg: cfg, in: newInbox(), turn: make(chan struct{}, 1)}
	if err := tr.attach(helper); err != nil {
		t.Fatal(err)
	}
	defer tr.fn.Release()
	defer func() { _, _ = tr.s.Call("detach") }()
	if _, err := tr.fn.Value().Invoke(evClose); err != nil {
		t.Fatalf("the callback threw into JS: %v", err)
	}
	log.wantPanicLogged(t, nilChanPanic(), "markClosed")
	// fail runs on its own goroutine: wait for it, bounded.
	deadline := time.Now().Add(5 * time.Second)
	for {
		tr.mu.Lock()
		end := tr.localErr
		tr.mu.Unlock()
		var ce *CloseError
		var pe *panicerr.Error
		if errors.As(end, &ce) && ce.Code == StatusAbnormalClosure && errors.As(end, &pe) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the connection did not end with the panic: %v", end)
		}
		time.Sleep(time.Millisecond)
	}
}

// nilChanPanic is the value Go panics with on close(nil).
func nilChanPanic() (v any) {
	defer func() { v = recover() }()
	var c chan struct{}
	close(c)
	return nil
}
