//go:build js

package sdk

import (
	"errors"

	"github.com/hack-pad/safejs"
)

// errNoWebSocket: neither a constructor was handed down nor is there a
// global one (Node before 22, some embedded runtimes).
var errNoWebSocket = errors.New("this JavaScript environment has no WebSocket (Node < 22?); " +
	"redial-ws takes a constructor as the option WebSocket, e.g. the `ws` package's")

// webSocketConstructor is the JS WebSocket constructor a connection is
// dialled with: the one the wasm layer handed down for this Conn
// (internal/sdkhooks Hooks.WebSocket, the npm package's option WebSocket),
// else the WebSocketStream adapter where the browser has WebSocketStream
// (transport_stream_js.go; with Options.WebSocketStream), else
// globalThis.WebSocket, looked up at each dial (a page may install a
// polyfill after the Conn was made).
func webSocketConstructor(cfg *config) (safejs.Value, error) {
	if v, ok := cfg.Hooks.WebSocket.(safejs.Value); ok && v.Type() == safejs.TypeFunction {
		return v, nil
	}
	if v, ok := streamConstructor(cfg); ok {
		return v, nil
	}
	ctor, err := safejs.Global().Get("WebSocket")
	if err != nil || ctor.Type() != safejs.TypeFunction {
		return safejs.Value{}, errNoWebSocket
	}
	return ctor, nil
}
