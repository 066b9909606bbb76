//go:build js

package main

import (
	"sync"
	"sync/atomic"

	"github.com/hack-pad/safejs"
	"github.com/redial-ws/redial/sdk"
)

// handle is one RedialSocket's Go half: an sdk.Conn, made at once by
// sdk.New (it connects in the background, as new WebSocket() does), and
// the JS functions of its handle object. The Conn holds the state and the
// send queue; this maps them onto the shim's calls and callbacks.
type handle struct {
	id       int32 // in handles, for the redial_send export
	cb       callbacks
	conn     *sdk.Conn
	maxBytes int // Options.MaxQueuedBytes after its default, for errors
	rx       receiver
	// pageClosed: the page called close(). Conn.Close runs on its own
	// goroutine (it waits for the close handshake), so a send right after
	// close() must not rely on it having started.
	pageClosed atomic.Bool

	mu    sync.Mutex
	funcs []safejs.Func
}

// dialJS is __redial.dial(url, protocols, options, callbacks): it returns the
// handle at once; the Conn connects in the background.
func dialJS(_ safejs.Value, args []safejs.Value) (any, error) {
	url, err := stringArg(args, 0)
	if err != nil {
		return nil, invalid("dial: the URL must be a string")
	}
	protos, err := parseProtocols(arg(args, 1))
	if err != nil {
		return nil, err
	}
	opts, err := parseOptions(arg(args, 2))
	if err != nil {
		return nil, err
	}
	cb, err := parseCallbacks(arg(args, 3))
	if err != nil {
		return nil, err
	}
	o := opts.Options
	o.Subprotocols = protos
	o.Policy = opts.policy()

	h := &handle{cb: cb, maxBytes: o.MaxQueuedBytes}
	if h.maxBytes == 0 {
		h.maxBytes = sdk.DefaultMaxQueuedBytes
	}
	h.rx.init()
	o.OnStateChange = h.onState
	h.id = addHandle(h)
	obj, err := h.object()
	if err != nil {
		h.release()
		return nil, err
	}
	if err := obj.Set("id", int(h.id)); err != nil {
		h.release()
		return nil, err
	}
	conn, err := sdk.New(url, &o)
	if err != nil {
		// Refused before any attempt (a URL or option the shim let
		// through): the socket ends as one that could not connect, with
		// error then close, after the constructor returned.
		h.rx.stop()
		go h.finalEvents(sdk.StateChange{From: sdk.StateConnecting, To: sdk.StateClosed, Err: err, Final: true})
		return obj, nil
	}
	h.conn = conn
	go h.receive()
	return obj, nil
}

// object builds the JS handle. Its functions are released with the socket.
func (h *handle) object() (safejs.Value, error) {
	objCtor, err := safejs.Global().Get("Object")
	if err != nil {
		return safejs.Value{}, err
	}
	obj, err := objCtor.New()
	if err != nil {
		return safejs.Value{}, err
	}
	methods := []struct {
		name string
		fn   func(safejs.Value, []safejs.Value) (any, error)
	}{
		{"send", h.sendJS},
		{"sendText", func(_ safejs.Value, a []safejs.Value) (any, error) { return h.sendScratch(sdk.MessageText, a) }},
		{"sendBinary", func(_ safejs.Value, a []safejs.Value) (any, error) { return h.sendScratch(sdk.MessageBinary, a) }},
		{"close", h.closeJS},
		{"state", func(safejs.Value, []safejs.Value) (any, error) { return h.state().String(), nil }},
		{"bufferedAmount", func(safejs.Value, []safejs.Value) (any, error) { return h.buffered(), nil }},
		{"protocol", func(safejs.Value, []safejs.Value) (any, error) { return h.protocol(), nil }},
		{"stats", h.statsJS},
	}
	for _, m := range methods {
		f, err := export(m.name, m.fn)
		if err != nil {
			return safejs.Value{}, err
		}
		h.funcs = append(h.funcs, f)
		if err := obj.Set(m.name, f.Value()); err != nil {
			return safejs.Value{}, err
		}
	}
	return obj, nil
}

// release frees the handle's JS functions; the shim never calls them after
// the final close event.
func (h *handle) release() {
	dropHandle(h.id)
	h.mu.Lock()
	funcs := h.funcs
	h.funcs = nil
	h.mu.Unlock()
	for _, f := range funcs {
		f.Release()
	}
}

func (h *handle) state() sdk.State {
	if h.conn == nil {
		return sdk.StateClosed // New refused the URL or options
	}
	return h.conn.State()
}

func (h *handle) buffered() int {
	if h.conn == nil {
		return 0
	}
	return h.conn.BufferedAmount()
}

func (h *handle) protocol() string {
	if h.conn == nil {
		return ""
	}
	return h.conn.Subprotocol()
}
