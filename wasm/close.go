//go:build js

package main

import (
	"github.com/hack-pad/safejs"
	"github.com/redial-ws/redial/sdk"
)

// closeJS is handle.close(code, reason); the shim checked both as a
// browser WebSocket does. The Conn stops connecting, or closes with the
// close handshake; its events tell the page how it ended.
func (h *handle) closeJS(_ safejs.Value, args []safejs.Value) (any, error) {
	code, err := intArg(args, 0)
	if err != nil {
		code = int(sdk.StatusNormalClosure)
	}
	reason := ""
	if a := arg(args, 1); a.Type() == safejs.TypeString {
		reason, _ = a.String()
	}
	if code != 1000 && (code < 3000 || code > 4999) {
		return nil, invalid("close: code %d is neither 1000 nor in 3000–4999", code)
	}
	if len(reason) > 123 {
		return nil, invalid("close: reason is %d UTF-8 bytes; the limit is 123", len(reason))
	}
	if h.conn == nil || !h.pageClosed.CompareAndSwap(false, true) {
		return nil, nil
	}
	go func() { _ = h.conn.Close(sdk.StatusCode(code), reason) }() // Close waits for the close handshake
	return nil, nil
}
