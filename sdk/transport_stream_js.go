//go:build js

package sdk

import (
	"sync"

	"github.com/hack-pad/safejs"

	"github.com/redial-ws/redial/internal/jsstream"
)

// Read backpressure over WebSocketStream (Options.WebSocketStream): the
// adapter in internal/jsstream puts a WebSocketStream behind the members of
// WebSocket that browserTransport uses, and reads from the stream only
// while credit lasts; browserTransport.read grants credit (more) each time
// it has returned all it took. So the socket runs a small, bounded
// read-ahead past the app's Read (the adapter's 16 messages or 256 KiB, the
// inbox, the Conn's incomingBuffer), and a slow Read leaves the rest to TCP
// flow control, which holds the server's writes back, as natively.

var (
	streamOnce sync.Once
	streamCtor safejs.Value // the adapter's constructor; undefined if it cannot be made
)

// streamConstructor returns the WebSocketStream adapter's constructor, to
// dial with instead of WebSocket, or false: Options.WebSocketStream is not
// set, the browser has no WebSocketStream, or the page cannot compile the
// adapter (a Content-Security-Policy without unsafe-eval). Looked up at
// each dial: a page may remove WebSocketStream (or install it) at any time.
func streamConstructor(cfg *config) (safejs.Value, bool) {
	if !cfg.WebSocketStream {
		return safejs.Value{}, false
	}
	if v, err := safejs.Global().Get("WebSocketStream"); err != nil || v.Type() != safejs.TypeFunction {
		return safejs.Value{}, false
	}
	streamOnce.Do(func() {
		fn, err := safejs.Global().Get("Function")
		if err != nil {
			return
		}
		if fn, err = fn.New(jsstream.Source + "\nreturn " + jsstream.Expr + ";"); err != nil {
			return
		}
		if v, err := fn.Invoke(); err == nil && v.Type() == safejs.TypeFunction {
			streamCtor = v
		}
	})
	return streamCtor, !streamCtor.IsUndefined()
}

// findMore keeps the socket's more method, if it has one (the adapter's).
func (t *browserTransport) findMore() {
	if v, err := t.ws.Get("more"); err == nil && v.Type() == safejs.TypeFunction {
		t.moreFn = v
	}
}

// more grants the socket credit for its next few messages: read calls it
// when it has returned all it took. A no-op on a WebSocket.
func (t *browserTransport) more() {
	if t.moreFn.IsUndefined() {
		return
	}
	if _, err := t.moreFn.Call("call", t.ws); err != nil {
		t.fail(err)
	}
}
