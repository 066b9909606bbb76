//go:build js

package conformance_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/hack-pad/safejs"

	"github.com/redial-ws/redial/internal/jsstream"
	"github.com/redial-ws/redial/sdk"
)

// transportEnv picks the browser transport the suite runs over (make
// test-browser-go runs it once each way):
//   - "websocket" (or unset): the browser's WebSocket, the default.
//   - "stream": the WebSocketStream adapter (Options.WebSocketStream) for
//     every Conn: globalThis.WebSocket is replaced by the SDK's adapter
//     class (internal/jsstream) before any test, so every scenario, however
//     its Options were made, dials over WebSocketStream and reads with
//     credit. The run fails at once if this Chromium lacks WebSocketStream,
//     so a green run is never the fallback in disguise.
const transportEnv = "REDIAL_BROWSER_TRANSPORT"

func TestMain(m *testing.M) {
	if err := pickTransport(os.Getenv(transportEnv)); err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}

func pickTransport(which string) error {
	g := safejs.Global()
	switch which {
	case "", "websocket":
		return nil
	case "stream":
		if v, err := g.Get("WebSocketStream"); err != nil || v.Type() != safejs.TypeFunction {
			return fmt.Errorf("%s=stream, but this browser has no WebSocketStream", transportEnv)
		}
		fn, err := g.Get("Function")
		if err != nil {
			return err
		}
		if fn, err = fn.New(jsstream.Source + "\nreturn " + jsstream.Expr + ";"); err != nil {
			return err
		}
		ctor, err := fn.Invoke()
		if err != nil {
			return err
		}
		return g.Set("WebSocket", ctor)
	}
	return fmt.Errorf("%s=%q: want websocket or stream", transportEnv, which)
}

// TestBrowserTransportSelection: a Conn dials with WebSocket by default and
// with WebSocketStream under Options.WebSocketStream where the browser has
// it. Counted by wrapping both constructors for the test.
func TestBrowserTransportSelection(t *testing.T) {
	g := safejs.Global()
	if v, _ := g.Get("WebSocketStream"); v.Type() != safejs.TypeFunction {
		t.Skip("this browser has no WebSocketStream")
	}
	if os.Getenv(transportEnv) == "stream" {
		t.Skip("this run replaced globalThis.WebSocket by the adapter: the counts would mix")
	}
	const wrap = `(() => {
	  const S = globalThis.WebSocketStream, W = globalThis.WebSocket, n = { stream: 0, ws: 0 };
	  globalThis.WebSocketStream = class extends S { constructor(...a) { super(...a); n.stream++; } };
	  globalThis.WebSocket = class extends W { constructor(...a) { super(...a); n.ws++; } };
	  n.restore = () => { globalThis.WebSocketStream = S; globalThis.WebSocket = W; };
	  return n;
	})()`
	n, err := g.Call("eval", wrap)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = n.Call("restore") })
	count := func() (stream, ws int) {
		s, _ := n.Get("stream")
		w, _ := n.Get("ws")
		a, _ := s.Int()
		b, _ := w.Int()
		return a, b
	}
	f := newFixture(t)
	c := dial(t, f.url("/echo"), fast(nil))
	echo(t, c, "over WebSocket")
	if s, w := count(); s != 0 || w != 1 {
		t.Fatalf("default Options: %d WebSocketStream, %d WebSocket dialled; want 0, 1", s, w)
	}
	c2 := dial(t, f.url("/echo"), fast(&sdk.Options{WebSocketStream: true}))
	echo(t, c2, "over WebSocketStream")
	if s, w := count(); s != 1 || w != 1 {
		t.Fatalf("Options.WebSocketStream: %d WebSocketStream, %d WebSocket dialled; want 1, 1", s, w)
	}
}
