//go:build js

package main

import (
	"context"
	"errors"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/redial-ws/redial/sdk"
)

// callbacks are the shim's event functions for one socket.
type callbacks struct {
	open, messages, close, error, reconnecting, statechange safejs.Value
}

type pendingMsg struct {
	typ sdk.MessageType
	p   []byte
}

// handle is one RedialSocket's Go half: an sdk.Conn (once Dial returned), the
// messages sent before that, and the JS functions of its handle object.
type handle struct {
	id                  int32 // in handles, for the redial_send export
	cb                  callbacks
	maxQueued, maxBytes int
	cancelDial          context.CancelFunc

	// mu guards what follows. Never call into JS while holding it: a page
	// handler run by that call may call back (send, close) and lock it.
	mu           sync.Mutex
	conn         *sdk.Conn
	pending      []pendingMsg // sent while Dial is under way
	pendingBytes int
	closing      bool // the page called close()
	closeArgs    closeArgs
	finished     bool // the final close event went out
	state        sdk.State
	funcs        []safejs.Func
}

// dialJS is __redial.dial(url, protocols, options, callbacks): it returns the
// handle at once and dials in the background (Dial blocks until the first
// open, and a JS call must never block).
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

	h := &handle{
		cb:        cb,
		maxQueued: o.MaxQueued,
		maxBytes:  o.MaxQueuedBytes,
	}
	if h.maxQueued == 0 {
		h.maxQueued = sdk.DefaultMaxQueued
	}
	if h.maxBytes == 0 {
		h.maxBytes = sdk.DefaultMaxQueuedBytes
	}
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
	ctx, cancel := context.WithCancel(context.Background())
	h.cancelDial = cancel
	go h.run(ctx, url, &o)
	return obj, nil
}

func arg(args []safejs.Value, i int) safejs.Value {
	if i < len(args) {
		return args[i]
	}
	return safejs.Undefined()
}

func parseProtocols(v safejs.Value) ([]string, error) {
	switch v.Type() {
	case safejs.TypeUndefined, safejs.TypeNull:
		return nil, nil
	case safejs.TypeString:
		s, err := v.String()
		return []string{s}, err
	}
	n, err := v.Length()
	if err != nil {
		return nil, invalid("dial: protocols must be a string or an array of strings")
	}
	out := make([]string, 0, n)
	for i := range n {
		p, err := v.Index(i)
		if err != nil || p.Type() != safejs.TypeString {
			return nil, invalid("dial: protocols must be a string or an array of strings")
		}
		s, err := p.String()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func parseCallbacks(v safejs.Value) (callbacks, error) {
	var cb callbacks
	if v.Type() != safejs.TypeObject {
		return cb, invalid("dial: callbacks must be an object")
	}
	for name, dst := range map[string]*safejs.Value{
		"open": &cb.open, "messages": &cb.messages, "close": &cb.close, "error": &cb.error,
		"reconnecting": &cb.reconnecting, "statechange": &cb.statechange,
	} {
		f, err := v.Get(name)
		if err != nil {
			return cb, err
		}
		if f.Type() != safejs.TypeFunction {
			return cb, invalid("dial: callbacks.%s must be a function", name)
		}
		*dst = f
	}
	return cb, nil
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
		{"state", func(safejs.Value, []safejs.Value) (any, error) { return h.stateNow().String(), nil }},
		{"bufferedAmount", func(safejs.Value, []safejs.Value) (any, error) { return h.buffered(), nil }},
		{"protocol", func(safejs.Value, []safejs.Value) (any, error) { return h.protocol(), nil }},
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

// run dials, hands over what was sent meanwhile, then delivers messages
// until the final close.
func (h *handle) run(ctx context.Context, url string, o *sdk.Options) {
	defer h.cancelDial()
	conn, err := sdk.Dial(ctx, url, o)
	h.mu.Lock()
	if err != nil {
		early := !h.finished && h.state == sdk.StateConnecting
		h.pending, h.pendingBytes = nil, 0
		h.mu.Unlock()
		if early {
			// Refused before any attempt (a bad URL or option): the SDK
			// sent no event, so end the socket here.
			h.finalEvents(sdk.StateChange{From: sdk.StateConnecting, To: sdk.StateClosed, Err: err, Final: true})
		}
		return
	}
	var dropped []error
	for _, m := range h.pending {
		// The SDK's queue is empty and as big as pending: this fails only
		// if the Conn closed for good meanwhile.
		if err := conn.Write(canceled, m.typ, m.p); err != nil {
			dropped = append(dropped, err)
		}
	}
	h.pending, h.pendingBytes = nil, 0
	h.conn = conn
	closing := h.closing
	h.mu.Unlock() // never call into JS holding mu: a page handler may call back
	for _, err := range dropped {
		h.call(h.cb.error, "redial-ws: a message sent while connecting was dropped: "+err.Error())
	}
	if closing {
		go h.closeConn(conn)
	}
	var b batch
	for {
		typ, p, err := conn.Read(context.Background())
		if err != nil {
			return
		}
		b.add(typ, p)
		for len(b.msgs) < maxBatch {
			typ, p, ok := conn.TryRead()
			if !ok {
				break
			}
			b.add(typ, p)
		}
		h.deliver(&b)
	}
}

// maxBatch bounds the messages handed to the page in one call.
const maxBatch = 256

// batch is messages ready for the page and their index in the wasm memory:
// three u32 per message (binary, address, length).
type batch struct {
	msgs [][]byte
	meta []uint32
}

func (b *batch) add(typ sdk.MessageType, p []byte) {
	bin := uint32(0)
	if typ == sdk.MessageBinary {
		bin = 1
	}
	b.msgs = append(b.msgs, p)
	b.meta = append(b.meta, bin, uint32(addr(p)), uint32(len(p)))
}

// deliver hands a batch to the shim in one call: it reads every message out
// of the wasm memory first, then fires the events.
func (h *handle) deliver(b *batch) {
	defer func() {
		if r := recover(); r != nil {
			consoleError("redial-ws: message delivery failed: " + errString(r))
		}
		clear(b.msgs)
		b.msgs, b.meta = b.msgs[:0], b.meta[:0]
	}()
	if _, err := h.cb.messages.Invoke(len(b.msgs), addr32(b.meta)); err != nil {
		consoleError("redial-ws: message delivery failed: " + err.Error())
	}
	runtime.KeepAlive(b.msgs)
	runtime.KeepAlive(b.meta)
}

// onState turns the SDK's state changes into the shim's events. It runs on
// the SDK's event goroutine, so it may wait; what it calls in JS must not.
func (h *handle) onState(sc sdk.StateChange) {
	defer func() {
		if r := recover(); r != nil {
			consoleError("redial-ws: event delivery failed: " + errString(r))
		}
	}()
	if sc.From == sdk.StateOpen {
		h.fence()
	}
	h.mu.Lock()
	h.state = sc.To
	appClose := h.closing
	h.mu.Unlock()
	if sc.From != sc.To {
		h.call(h.cb.statechange, sc.To.String())
	}
	switch sc.To {
	case sdk.StateOpen:
		// The first open comes before Dial returns (h.conn is still nil):
		// the event carries the handshake.
		proto := ""
		if sc.Handshake != nil {
			proto = sc.Handshake.Subprotocol
		} else {
			proto = h.protocol()
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
		if appClose && sc.From != sdk.StateOpen {
			// close() while no connection was up: close 1006, as a browser
			// WebSocket closed while connecting reports; before the first
			// connection, with the error event it fires too.
			h.mu.Lock()
			h.finished = true
			h.mu.Unlock()
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
	h.mu.Lock()
	h.finished = true
	h.mu.Unlock()
	code, reason, clean := closeInfo(sc)
	if sc.From != sdk.StateOpen {
		clean = false
		h.call(h.cb.error, errMessage(sc.Err))
	}
	h.call(h.cb.close, code, reason, clean, false)
	h.release()
}

// fence lets messages of the connection that just ended reach the page
// before its close event. They are all in the Conn's incoming buffer by now
// (the SDK's reader queues them before it reports the end), and the reader
// goroutine, runnable while any is left, delivers them without blocking; a
// yield puts this goroutine behind it (wasm runs one goroutine at a time).
func (h *handle) fence() {
	for range 4 {
		runtime.Gosched()
	}
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

func errString(r any) string {
	if e, ok := r.(error); ok {
		return e.Error()
	}
	if s, ok := r.(string); ok {
		return s
	}
	return "panic"
}

// call invokes a shim callback; the shim's callbacks never throw, but if
// one did, the error stays on this side.
func (h *handle) call(fn safejs.Value, args ...any) {
	defer func() { _ = recover() }()
	_, _ = fn.Invoke(args...)
}

func (h *handle) stateNow() sdk.State {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.conn != nil {
		return h.conn.State()
	}
	return h.state
}

func (h *handle) buffered() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.conn != nil {
		return h.conn.BufferedAmount()
	}
	return h.pendingBytes
}

func (h *handle) protocol() string {
	h.mu.Lock()
	conn := h.conn
	h.mu.Unlock()
	if conn == nil {
		return ""
	}
	return conn.Subprotocol()
}

// sendJS is handle.send(data): a string or a Uint8Array.
func (h *handle) sendJS(_ safejs.Value, args []safejs.Value) (any, error) {
	v := arg(args, 0)
	if v.Type() == safejs.TypeString {
		s, err := v.String()
		if err != nil {
			return nil, err
		}
		return nil, h.write(sdk.MessageText, bytesOf(s))
	}
	n, err := v.Length()
	if err != nil {
		return nil, invalid("send: data must be a string or a Uint8Array")
	}
	_, _ = growScratch(n)
	if _, err := safejs.CopyBytesToGo(scratch[:n], v); err != nil {
		return nil, invalid("send: data must be a string or a Uint8Array")
	}
	return nil, h.write(sdk.MessageBinary, scratch[:n])
}

// sendScratch is handle.sendText(n) / sendBinary(n): the message is the
// first n bytes of the scratch buffer.
func (h *handle) sendScratch(typ sdk.MessageType, args []safejs.Value) (any, error) {
	n, err := intArg(args, 0)
	if err != nil || n < 0 || n > len(scratch) {
		return nil, invalid("send: bad length")
	}
	return nil, h.write(typ, scratch[:n])
}

var (
	errSendClosed    = &jsErr{"closed", "redial-ws: the socket is closed"}
	errSendClosing   = &jsErr{"closed", "redial-ws: the socket is closing (close() was called)"}
	errFullWhileOpen = &jsErr{"queue_full", "redial-ws: send queue full: the socket is open but has not drained " +
		"(maxQueued / maxQueuedBytes reached); wait for bufferedAmount to fall before sending more"}
)

// write queues p (copied), as tryWrite, but when the queue is full while
// the socket is open it first lets the SDK's writer drain it into the
// browser socket (which takes everything up to its 4 MiB high-water mark):
// a burst of sends is not refused just because Go had no turn yet. It runs
// in a js.Func, where yielding runs the other goroutines.
func (h *handle) write(typ sdk.MessageType, p []byte) error {
	err := h.tryWrite(typ, p)
	for i := 0; i < 8 && err == errFullWhileOpen; i++ {
		runtime.Gosched()
		err = h.tryWrite(typ, p)
	}
	return err
}

// tryWrite queues p (copied). It never blocks nor yields: a JS call (and
// the redial_send export) must not wait.
func (h *handle) tryWrite(typ sdk.MessageType, p []byte) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.finished:
		return errSendClosed
	case h.closing:
		return errSendClosing
	case h.conn != nil:
		err := h.conn.Write(canceled, typ, p)
		if errors.Is(err, context.Canceled) {
			return errFullWhileOpen
		}
		return err
	}
	// Dial is under way: hold the message here, bounded like the SDK's queue.
	if len(p) > h.maxBytes {
		return &jsErr{"too_big", "redial-ws: message of " + itoa(len(p)) + " bytes is bigger than maxQueuedBytes (" + itoa(h.maxBytes) + ")"}
	}
	if len(h.pending) >= h.maxQueued || h.pendingBytes+len(p) > h.maxBytes {
		return &jsErr{"queue_full", "redial-ws: send queue full while connecting: " + itoa(len(h.pending)) +
			" messages, " + itoa(h.pendingBytes) + " bytes queued (maxQueued / maxQueuedBytes)"}
	}
	h.pending = append(h.pending, pendingMsg{typ, append([]byte(nil), p...)})
	h.pendingBytes += len(p)
	return nil
}

// closeJS is handle.close(code, reason); the shim checked both as a
// browser WebSocket does.
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
	h.mu.Lock()
	if h.closing || h.finished {
		h.mu.Unlock()
		return nil, nil
	}
	h.closing = true
	h.closeArgs = closeArgs{sdk.StatusCode(code), reason}
	conn := h.conn
	h.mu.Unlock()
	if conn == nil {
		h.cancelDial() // Dial gives up; the SDK reports the final close
		return nil, nil
	}
	go h.closeConn(conn) // Close waits for the close handshake
	return nil, nil
}

func itoa(i int) string { return strconv.Itoa(i) }

type closeArgs struct {
	code   sdk.StatusCode
	reason string
}

func (h *handle) closeConn(conn *sdk.Conn) {
	h.mu.Lock()
	a := h.closeArgs
	h.mu.Unlock()
	_ = conn.Close(a.code, a.reason) // the events tell the page how it ended
}
