//go:build js

package main

import (
	"github.com/redial-ws/redial/internal/panicerr"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/redial-ws/redial/sdk"
)

// onState turns the SDK's state changes into the shim's events. It runs on
// the SDK's event goroutine, so it may wait; what it calls in JS must not.
func (h *handle) onState(sc sdk.StateChange) {
	defer func() {
		if r := recover(); r != nil {
			consoleError("redial-ws: event delivery failed: " + panicReport(r))
		}
	}()
	if sc.From == sdk.StateOpen {
		// A connection ended: its messages reach the page before its
		// close event, as a browser WebSocket orders them.
		h.rx.fence()
	}
	if sc.From != sc.To {
		h.call(h.cb.statechange, sc.To.String())
	}
	switch sc.To {
	case sdk.StateOpen:
		proto := ""
		if sc.Handshake != nil {
			proto = sc.Handshake.Subprotocol
		}
		h.call(h.cb.open, proto, sc.Attempt)
	case sdk.StateReconnecting:
		code, reason, clean := closeInfo(sc)
		if sc.From == sdk.StateOpen {
			// No error event, even without a close frame: a browser
			// WebSocket whose connection drops fires only close (1006).
			h.call(h.cb.close, code, reason, clean, true)
		} else {
			h.call(h.cb.error, errMessage(sc.Err)) // an attempt failed
		}
		h.call(h.cb.reconnecting, sc.Attempt, float64(sc.Delay)/float64(time.Millisecond), code, reason)
	case sdk.StateClosed:
		if sc.From != sdk.StateOpen && sc.Err == nil {
			// The page's close() while no connection was up: close 1006,
			// as a browser WebSocket closed while connecting reports;
			// before the first connection, with the error event it fires
			// too.
			if sc.From == sdk.StateConnecting {
				h.call(h.cb.error, "redial-ws: closed before the connection was established")
			}
			h.call(h.cb.close, int(sdk.StatusAbnormalClosure), "", false, false)
			h.release()
			return
		}
		h.finalEvents(sc)
	}
}

// finalEvents emits the last events: error when an attempt to connect
// failed (as a browser WebSocket that cannot connect fires error, then close
// 1006), and close with willReconnect false; then releases the handle.
func (h *handle) finalEvents(sc sdk.StateChange) {
	code, reason, clean := closeInfo(sc)
	if sc.From != sdk.StateOpen {
		clean = false
		h.call(h.cb.error, errMessage(sc.Err))
	}
	h.call(h.cb.close, code, reason, clean, false)
	h.release()
}

// closeInfo is the close event's code, reason and wasClean for sc.
func closeInfo(sc sdk.StateChange) (code int, reason string, clean bool) {
	if sc.Close == nil {
		return int(sdk.StatusAbnormalClosure), "", false
	}
	code = int(sc.Close.Code)
	return code, sc.Close.Reason, code != int(sdk.StatusAbnormalClosure)
}

func errMessage(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// panicReport words a recovered panic with the stack it was raised on
// (internal/panicerr), for the console: a panic stopped at the JS boundary
// is reported, never swallowed.
func panicReport(r any) string {
	pe := panicerr.New(r).(*panicerr.Error)
	return pe.Error() + "\n" + pe.Stack
}

// call invokes a shim callback; the shim's callbacks never throw, but if
// one did, the error stays on this side, reported on the console.
func (h *handle) call(fn safejs.Value, args ...any) {
	defer func() {
		if r := recover(); r != nil {
			consoleError("redial-ws: a shim callback failed: " + panicReport(r))
		}
	}()
	_, _ = fn.Invoke(args...)
}
