//go:build js

// Command wasm is redial's browser build (dist/redial.wasm). It exports one
// namespaced global, read only by the JS shim (js/, bundled as dist/index.js):
//
//	globalThis.__redial = {
//	  version,                                  // package.json's, checked by the shim
//	  dial(url, protocols, options, callbacks), // → handle, or an Error (see below)
//	  scratch(n),                               // → [address, size] of a Go buffer of ≥ n bytes
//	  kick(),                                   // lets Go run (write what sends queued)
//	  live(),                                   // sockets not yet released (diagnostics, tests)
//	}
//
// and two wasm exports, redial_send(id, binary, n) and redial_buffered(id)
// (see export.go). Before running it, the shim also defines
// globalThis.__redialTransport, the SDK's browser transport helper (see
// sdk/jshelper.js), so that pages which forbid eval work too.
//
// A handle has id (for the exports), send(data) (a string or Uint8Array),
// sendText(n) / sendBinary(n) (n bytes of the scratch buffer), close(code,
// reason), state(), bufferedAmount(), protocol(); its functions are released
// right after the socket's final close event. Go cannot throw into JS (a
// js.Func only returns), so every exported function returns a JS Error object
// instead of throwing — with .code "queue_full", "too_big", "closed",
// "invalid" or "internal" — and the shim throws it. A Go panic in an exported
// function is recovered and returned the same way ("internal"); it never
// reaches JS.
//
// callbacks are the shim's: open(protocol, attempt), messages(n, ptr) (n
// messages, indexed at ptr in the wasm memory by three u32 each: binary,
// address, length), close(code, reason, wasClean, willReconnect), error(message),
// reconnecting(attempt, delayMs, code, reason), statechange(state). Go calls
// them synchronously from its goroutines, one at a time, in order. A close
// with willReconnect false is always a socket's last event.
//
// Every call into Go through a js.Func runs all of Go's ready goroutines
// before it returns, so events can arrive during dial(), close() or send();
// the shim holds those for a microtask (a WebSocket never fires events from
// inside its own methods).
//
// The hot path creates no JS object per message on this side and crosses
// into JS once per batch: messages() gets the messages ready (all of them,
// up to 256) as addresses and lengths in the wasm memory and the shim
// decodes (or slices) them there, inside the call; a send is
// TextEncoder.encodeInto / set into the scratch buffer, then the redial_send
// export (no js.Func), with one kick() per batch. Below, the SDK's browser
// transport batches too: one Go call per batch of received messages, one
// JS call per batch of sends.
package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"github.com/hack-pad/safejs"
	"github.com/redial-ws/redial/sdk"
)

// version is package.json's, set by the build (scripts/build-js.sh:
// -ldflags -X main.version=…); load() refuses a redial.wasm whose version
// differs from the npm bundle's, which gets the same value.
var version = "dev"

// canceled is an already-ended context: Write with it never blocks (a JS
// call into Go must not wait for anything the event loop would provide).
var canceled context.Context

func init() {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	canceled = ctx
}

func main() {
	// Start the collector's workers now: the first GC cycle starts them
	// with a goroutine handshake, which should not happen inside an export.
	runtime.GC()
	if err := register(); err != nil {
		consoleError("redial-ws: could not start: " + err.Error())
		return
	}
	select {} // serve callbacks until the page goes away
}

// register installs globalThis.__redial. Its two functions live as long as
// the module, so they are never released.
func register() error {
	objCtor, err := safejs.Global().Get("Object")
	if err != nil {
		return err
	}
	api, err := objCtor.New()
	if err != nil {
		return err
	}
	dial, err := export("dial", dialJS)
	if err != nil {
		return err
	}
	scratchFn, err := export("scratch", scratchJS)
	if err != nil {
		return err
	}
	kick, err := export("kick", func(safejs.Value, []safejs.Value) (any, error) { kickJS(); return nil, nil })
	if err != nil {
		return err
	}
	live, err := export("live", func(safejs.Value, []safejs.Value) (any, error) { return liveHandles(), nil })
	if err != nil {
		return err
	}
	for k, v := range map[string]any{
		"version": version,
		"dial":    dial.Value(),
		"scratch": scratchFn.Value(),
		"kick":    kick.Value(),
		"live":    live.Value(),
	} {
		if err := api.Set(k, v); err != nil {
			return err
		}
	}
	return safejs.Global().Set("__redial", api)
}

// jsErr is an error with the code the shim sees as Error.code.
type jsErr struct {
	code string
	msg  string
}

func (e *jsErr) Error() string { return e.msg }

func invalid(format string, a ...any) error {
	return &jsErr{"invalid", "redial-ws: " + fmt.Sprintf(format, a...)}
}

// export wraps fn as a JS function through which no Go panic can pass: a
// panic, like an error, comes back to JS as an Error object.
func export(name string, fn func(this safejs.Value, args []safejs.Value) (any, error)) (f safejs.Func, err error) {
	return safejs.FuncOf(func(this safejs.Value, args []safejs.Value) (result any) {
		defer func() {
			if r := recover(); r != nil {
				report := panicReport(r)
				consoleError("redial-ws: internal error in " + name + ": " + report)
				result = errorValue(&jsErr{"internal", fmt.Sprintf("redial-ws: internal error in %s: %v", name, r)})
			}
		}()
		v, err := fn(this, args)
		if err != nil {
			return errorValue(err)
		}
		return v
	})
}

// errorValue makes a JS Error with .code from err.
func errorValue(err error) any {
	code := "internal"
	var je *jsErr
	switch {
	case errors.As(err, &je):
		code = je.code
	case errors.Is(err, sdk.ErrQueueFull):
		code = "queue_full"
	case errors.Is(err, sdk.ErrMessageTooBig):
		code = "too_big"
	case errors.Is(err, sdk.ErrClosed):
		code = "closed"
	}
	ctor, e := safejs.Global().Get("Error")
	if e != nil {
		return err.Error() // still not a panic; the shim throws strings too
	}
	v, e := ctor.New(err.Error())
	if e != nil {
		return err.Error()
	}
	_ = v.Set("code", code)
	return v
}

func consoleError(msg string) {
	// The last resort: if console.error itself fails there is nowhere
	// left to report to, and no panic may cross into JS.
	defer func() { _ = recover() }()
	if c, err := safejs.Global().Get("console"); err == nil {
		_, _ = c.Call("error", msg)
	}
}

// scratchJS(n) returns the address of the shared scratch buffer, grown to
// hold at least n bytes, and its capacity: [ptr, cap].
func scratchJS(_ safejs.Value, args []safejs.Value) (any, error) {
	n, err := intArg(args, 0)
	if err != nil || n < 0 {
		return nil, invalid("scratch: bad size")
	}
	ptr, c := growScratch(n)
	return []any{ptr, c}, nil
}

func intArg(args []safejs.Value, i int) (int, error) {
	if i >= len(args) {
		return 0, errors.New("missing argument")
	}
	f, err := args[i].Float()
	if err != nil {
		return 0, err
	}
	return int(f), nil
}

func stringArg(args []safejs.Value, i int) (string, error) {
	if i >= len(args) || args[i].Type() != safejs.TypeString {
		return "", errors.New("not a string")
	}
	return args[i].String()
}
