//go:build js

package sdk

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hack-pad/safejs"
)

var platformDial dialFunc = dialBrowser

// Browser WebSocket readyState values.
const (
	wsConnecting = 0
	wsOpen       = 1
)

// sendHighWater is the bufferedAmount above which write waits for the
// browser to drain, so a fast writer cannot grow the tab's memory
// without bound (the browser's send() never refuses).
const sendHighWater = 4 << 20

// browserCloseWait bounds the wait for the close event after close().
const browserCloseWait = 5 * time.Second

// browserTransport wraps one browser WebSocket. Its handlers are the JS
// helper's (jshelper_js.go): the socket's events reach Go through one
// js.Func, fn, called once per batch of messages (from a MessageChannel
// task), on open and on close. fn only copies data and signals channels: it
// never blocks, and a panic in it is recovered so it never crosses into JS.
type browserTransport struct {
	ws    safejs.Value
	cfg   *config // its Conn's
	url   string
	proto []string
	in    *inbox
	rx    *rxMark

	// The helper's per-socket state and the functions Go calls on it.
	s                      safejs.Value
	takeFn, sendFn, postFn safejs.Value
	inStage, outStage      safejs.Value // s.in, s.out
	fn                     safejs.Func  // the socket's events: onEvent
	fnMade                 bool

	turns      atomic.Uint64 // calls of fn: each came from a task, a turn of the event loop
	turn       chan struct{} // a token per call of fn, for maybeYield
	opened     chan struct{}
	closed     chan struct{}
	closedFlag atomic.Bool   // closed is closed
	flushWake  chan struct{} // a batch waits for flushLoop
	needDrain  atomic.Bool   // bufferedAmount was over sendHighWater after the last flush

	releaseOnce, openedOnce, closedOnce sync.Once

	mu        sync.Mutex
	closeCode StatusCode
	reason    string
	localErr  error // how this side ended it (read limit, a JS failure): read's final error

	// The send batch, guarded by smu: data, then (at flush) one u32 per
	// message, as the helper's send reads it.
	smu      sync.Mutex
	out      []byte
	lens     []uint32
	outCap   int // s.out's size
	sendErr  error
	sendDone bool // no more sends: closed, or closing by this side
	// The writer's streak (writeLoop only): writes since the event loop
	// last had a turn, and when the yieldWrites-th of them came.
	streakTurns  uint64
	streakWrites int
	streakStart  time.Time
}

// Send batching and yielding.
const (
	// flushBytes / flushMessages: a batch this big is sent at once; a
	// smaller one when the writer runs out of messages.
	flushBytes    = 64 << 10
	flushMessages = 128
	// A writer that sent yieldWrites messages and then went on for
	// yieldAfter, with no turn of the event loop, waits for one (a
	// MessageChannel round), so a goroutine that writes without pause
	// cannot starve the page (nor the SDK's own reader: onmessage runs only
	// in a turn of the event loop). The count keeps an app that sends a
	// few messages per event from paying for a clock or a yield.
	yieldWrites     = 128
	yieldAfter      = 3 * time.Millisecond
	yieldCheckEvery = 16 // writes between two looks at the clock
	stageMin        = 64 << 10
)

func dialBrowser(ctx context.Context, u string, cfg *config, _ map[string][]string) (transport, error) {
	ctor, err := safejs.Global().Get("WebSocket")
	if err != nil || ctor.IsUndefined() {
		return nil, &URLError{u, "this JavaScript environment has no WebSocket"}
	}
	helper, err := jsHelper()
	if err != nil {
		return nil, &URLError{u, err.Error()}
	}
	protos := make([]any, len(cfg.Subprotocols))
	for i, p := range cfg.Subprotocols {
		protos[i] = p
	}
	ws, err := ctor.New(u, protos)
	if err != nil {
		// The constructor throws SyntaxError for URLs it refuses.
		return nil, &URLError{u, "the browser refused it: " + err.Error()}
	}
	t := &browserTransport{
		ws: ws, cfg: cfg, url: u, proto: cfg.Subprotocols, in: newInbox(), rx: newRxMark(cfg.clock),
		opened: make(chan struct{}), closed: make(chan struct{}),
		flushWake: make(chan struct{}, 1), turn: make(chan struct{}, 1),
	}
	if err := t.attach(helper); err != nil {
		t.abort()
		return nil, wrap("redial: cannot attach to the browser WebSocket: "+err.Error(), err)
	}
	select {
	case <-t.opened:
	case <-t.closed:
		t.abort()
		t.mu.Lock()
		code, reason := t.closeCode, t.reason
		t.mu.Unlock()
		// Browsers hide why a handshake failed (refused, 401, 503 all look
		// the same): treat it as a network failure and let backoff apply.
		return nil, wrap("redial: browser WebSocket failed to open (close " + code.String() + suffix(reason) + "); browsers do not expose the HTTP status")
	case <-ctx.Done():
		t.abort()
		return nil, ctx.Err()
	}
	if len(cfg.Subprotocols) > 0 && t.subprotocol() == "" {
		_ = t.close(StatusProtocolError, "no subprotocol agreed")
		t.abort()
		return nil, &HandshakeError{StatusCode: 101, Err: errors.New("the server agreed to none of the subprotocols offered: " + strings.Join(cfg.Subprotocols, ", "))}
	}
	go t.flushLoop()
	return t, nil
}

// buffered is what this socket holds unsent: the batch being packed plus
// the browser socket's own bufferedAmount.
func (t *browserTransport) buffered() int {
	t.smu.Lock()
	n := len(t.out)
	t.smu.Unlock()
	if b, err := getInt(t.ws, "bufferedAmount"); err == nil {
		n += b
	}
	return n
}

func suffix(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + reason
}

// attach makes the socket's Go function and hands the socket's events to
// the helper.
func (t *browserTransport) attach(helper safejs.Value) error {
	f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		defer func() { _ = recover() }() // never let a Go panic reach JS
		kind := evWake
		if len(args) > 0 {
			if k, err := args[0].Int(); err == nil {
				kind = k
			}
		}
		t.onEvent(kind)
		return nil
	})
	if err != nil {
		return err
	}
	t.fn, t.fnMade = f, true
	limit := float64(t.cfg.ReadLimit)
	if limit <= 0 || limit > 1<<53 {
		limit = 1 << 53
	}
	if t.s, err = helper.Call("attach", t.ws, f.Value(), limit); err != nil {
		return err
	}
	for _, p := range []struct {
		name string
		dst  *safejs.Value
	}{{"take", &t.takeFn}, {"send", &t.sendFn}, {"post", &t.postFn}, {"in", &t.inStage}, {"out", &t.outStage}} {
		if *p.dst, err = t.s.Get(p.name); err != nil {
			return err
		}
	}
	t.outCap = stageMin
	return nil
}

// onEvent runs in a JS event callback: it must not block.
func (t *browserTransport) onEvent(kind int) {
	t.turns.Add(1)
	select {
	case t.turn <- struct{}{}:
	default:
	}
	switch kind {
	case evWake:
		t.take()
	case evOpen:
		t.markOpened()
	case evClose:
		t.take() // what came before the close is read first
		code, reason := StatusAbnormalClosure, ""
		if c, err := getInt(t.s, "code"); err == nil {
			code = StatusCode(c)
		}
		if r, err := getString(t.s, "reason"); err == nil {
			reason = r
		}
		t.mu.Lock()
		t.closeCode, t.reason = code, reason
		t.mu.Unlock()
		t.markClosed()
	}
}

// take moves every message the helper queued into the inbox, one batch
// (one call, one copy) at a time. A message over Options.ReadLimit ends the
// connection: a local close 1009.
func (t *browserTransport) take() {
	for {
		more, err := t.takeBatch()
		if err != nil {
			t.fail(wrap("redial: reading the browser WebSocket's messages: "+err.Error(), err))
			return
		}
		if !more {
			return
		}
	}
}

var errBadBatch = errors.New("the JS helper handed over a malformed batch")

// takeBatch moves one batch into the inbox; more reports that others wait.
func (t *browserTransport) takeBatch() (more bool, err error) {
	r, err := t.takeFn.Invoke()
	if err != nil {
		return false, err
	}
	f, err := r.Float()
	if err != nil || f == 0 {
		return false, err
	}
	if f < 0 { // the helper made a new staging buffer
		if t.inStage, err = t.s.Get("in"); err != nil {
			return false, err
		}
		f = -f
	}
	total := int(f)
	if total < 8 {
		return false, errBadBatch
	}
	buf := make([]byte, total)
	if _, err := safejs.CopyBytesToGo(buf, t.inStage); err != nil {
		return false, err
	}
	n, flags := int(le32(buf)), le32(buf[4:])
	meta := total - 4*n
	if n < 0 || meta < 8 {
		return false, errBadBatch
	}
	off := 8
	for k := range n {
		m := le32(buf[meta+4*k:])
		size := int(m >> 1)
		if off+size > meta {
			return false, errBadBatch
		}
		typ := MessageText
		if m&1 != 0 {
			typ = MessageBinary
		}
		t.in.put(inMsg{typ, buf[off : off+size : off+size]})
		off += size
	}
	if n > 0 {
		t.rx.mark()
	}
	if flags&takeOver != 0 {
		t.overLimit()
		return false, nil
	}
	return flags&takeMore != 0, nil
}

// fail ends the connection after a failure of this side's JS plumbing (no
// close frame: 1006, retried by the default policy).
func (t *browserTransport) fail(err error) {
	t.mu.Lock()
	if t.localErr == nil {
		t.localErr = &CloseError{Code: StatusAbnormalClosure, Err: err}
	}
	t.mu.Unlock()
	t.stopSends()
	_, _ = t.ws.Call("close") // best effort: the error is what read reports
	t.markClosed()
}

// overLimit ends the connection after a message over Options.ReadLimit, as
// coder/websocket does natively: a close 1009 from this side, final. The
// browser may only send 1000 or 3000–4999, so the socket closes with
// browserCloseArgs' mapping of it.
func (t *browserTransport) overLimit() {
	const why = "message over Options.ReadLimit"
	t.mu.Lock()
	t.localErr = &CloseError{Code: StatusMessageTooBig, Reason: why, Local: true}
	t.mu.Unlock()
	t.stopSends()
	code, reason := browserCloseArgs(StatusMessageTooBig, why)
	// Should close throw, the socket is done with all the same: read
	// reports the 1009 and the supervisor's abort drops the socket.
	_, _ = t.ws.Call("close", int(code), reason)
	t.markClosed()
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func (t *browserTransport) read(ctx context.Context) (MessageType, []byte, error) {
	for {
		if m, ok := t.in.take(); ok {
			return m.typ, m.p, nil
		}
		select {
		case <-t.in.signal:
		case <-t.closed:
			if m, ok := t.in.take(); ok {
				return m.typ, m.p, nil
			}
			t.mu.Lock()
			defer t.mu.Unlock()
			if t.localErr != nil {
				return 0, nil, t.localErr
			}
			return 0, nil, &CloseError{Code: t.closeCode, Reason: t.reason}
		case <-ctx.Done():
			return 0, nil, ctx.Err()
		}
	}
}

var errNotOpen = &CloseError{Code: StatusAbnormalClosure, Reason: "socket no longer open"}

// write adds p to the send batch. The batch goes to the browser when it is
// full, or when the writer has nothing more to send (flushLoop runs then:
// wasm runs one goroutine at a time, and Go returns to the event loop only
// once every goroutine waits), so no message is left behind when the page
// gets control. Every yieldAfter of continuous writing, write first waits
// for a turn of the event loop.
func (t *browserTransport) write(ctx context.Context, typ MessageType, p []byte) error {
	if t.needDrain.Load() {
		if err := t.waitDrain(ctx); err != nil {
			return err
		}
	}
	if err := t.maybeYield(ctx); err != nil {
		return err
	}
	t.smu.Lock()
	if err := t.sendErr; err != nil || t.sendDone || t.closedFlag.Load() {
		t.smu.Unlock()
		if err != nil {
			return err
		}
		return errNotOpen
	}
	if len(t.lens) == 0 {
		// A batch's first message: the browser may have started closing
		// (readyState changes only between tasks, and this side's own
		// close flushes first, so once per batch is enough).
		if st, err := getInt(t.ws, "readyState"); err != nil || st != wsOpen {
			t.smu.Unlock()
			if err != nil {
				return err
			}
			return errNotOpen
		}
	}
	t.out = append(t.out, p...)
	m := uint32(len(p)) << 1
	if typ == MessageBinary {
		m |= 1
	}
	t.lens = append(t.lens, m)
	first, full := len(t.lens) == 1, len(t.out) >= flushBytes || len(t.lens) >= flushMessages
	if full {
		t.flushLocked()
	}
	t.smu.Unlock()
	if first && !full {
		select {
		case t.flushWake <- struct{}{}:
		default:
		}
	}
	return nil
}

// maybeYield waits for a turn of the event loop when the writer has been
// sending for a while without one: yieldWrites messages and yieldAfter. Only
// writeLoop calls write, so the streak fields need no lock.
func (t *browserTransport) maybeYield(ctx context.Context) error {
	if t.cfg.NoWriteYield {
		return nil
	}
	if turns := t.turns.Load(); turns != t.streakTurns {
		t.streakTurns, t.streakWrites = turns, 0
	}
	if t.streakWrites++; t.streakWrites < yieldWrites || t.streakWrites%yieldCheckEvery != 0 {
		return nil
	}
	now := time.Now()
	if t.streakWrites == yieldWrites {
		t.streakStart = now
		return nil
	}
	if now.Sub(t.streakStart) < yieldAfter {
		return nil
	}
	t.flush()
	select {
	case <-t.turn: // a stale token: a turn that came before this wait
	default:
	}
	if _, err := t.postFn.Invoke(); err != nil {
		return err
	}
	select {
	case <-t.turn:
	case <-t.closed:
		return errNotOpen
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// flushLoop sends a batch the writer left unfinished: it runs when the
// writer waits for more.
func (t *browserTransport) flushLoop() {
	for {
		select {
		case <-t.flushWake:
			t.flush()
		case <-t.closed:
			return
		}
	}
}

func (t *browserTransport) flush() {
	t.smu.Lock()
	defer t.smu.Unlock()
	t.flushLocked()
}

// flushLocked hands the batch to the browser: one copy, one call.
func (t *browserTransport) flushLocked() {
	n := len(t.lens)
	if n == 0 {
		return
	}
	defer func() {
		t.out, t.lens = t.out[:0], t.lens[:0]
		if cap(t.out) > 4*flushBytes {
			t.out = nil // after a big message: do not keep its room
		}
	}()
	if t.sendDone || t.sendErr != nil {
		return
	}
	size := len(t.out)
	for _, m := range t.lens {
		t.out = append(t.out, byte(m), byte(m>>8), byte(m>>16), byte(m>>24))
	}
	need := len(t.out)
	if need > t.outCap || (t.outCap > 4*stageMin && need <= stageMin) {
		c := max(need, stageMin)
		if need > t.outCap {
			c = max(need, 2*t.outCap)
		}
		v, err := t.s.Call("grow", c)
		if err != nil {
			t.sendErr = wrap("redial: WebSocket.send: "+err.Error(), err)
			return
		}
		t.outStage, t.outCap = v, c
	}
	if _, err := safejs.CopyBytesToJS(t.outStage, t.out); err != nil {
		t.sendErr = wrap("redial: WebSocket.send: "+err.Error(), err)
		return
	}
	r, err := t.sendFn.Invoke(n, size)
	if err != nil {
		t.sendErr = wrap("redial: WebSocket.send: "+err.Error(), err)
		return
	}
	if b, err := r.Float(); err == nil {
		t.needDrain.Store(b > sendHighWater)
	}
}

// stopSends drops the batch: the socket is closing.
func (t *browserTransport) stopSends() {
	t.smu.Lock()
	t.sendDone = true
	t.out, t.lens = t.out[:0], t.lens[:0]
	t.smu.Unlock()
}

// waitDrain holds a write while the browser's send buffer is over the
// high-water mark. The browser offers no event for it, so poll briefly.
func (t *browserTransport) waitDrain(ctx context.Context) error {
	for {
		if t.closedFlag.Load() {
			return errNotOpen
		}
		n, err := getInt(t.ws, "bufferedAmount")
		if err != nil {
			return err
		}
		if n <= sendHighWater {
			t.needDrain.Store(false)
			return nil
		}
		select {
		case <-time.After(5 * time.Millisecond):
		case <-t.closed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (t *browserTransport) ping(context.Context) error { return errPingUnsupported }
func (t *browserTransport) canPing() bool              { return false }
func (t *browserTransport) received() *rxMark          { return t.rx }

// leftover returns what the socket received and read did not return: abort
// moved the helper's queue into the inbox before detaching it.
func (t *browserTransport) leftover() []inMsg {
	var out []inMsg
	for {
		m, ok := t.in.take()
		if !ok {
			return out
		}
		out = append(out, m)
	}
}

// close sends a close frame. A page may only send 1000 or 3000–4999; other
// codes the Go API accepts (1001–1003, 1007–1014) are sent as 1000 with the
// original code at the head of the reason, so it is not lost.
func (t *browserTransport) close(code StatusCode, reason string) error {
	t.flush() // what was written goes before the close frame
	t.stopSends()
	code, reason = browserCloseArgs(code, reason)
	if _, err := t.ws.Call("close", int(code), reason); err != nil {
		return err
	}
	select {
	case <-t.closed:
	case <-time.After(browserCloseWait):
	}
	return nil
}

// abort detaches the handlers, closes the socket if still up, and releases
// the js.Func: after it, no callback of this socket can run. What the
// helper queued is first moved into the inbox (see leftover): the browser
// received it, so it is the app's, whatever ends the connection.
func (t *browserTransport) abort() {
	t.releaseOnce.Do(func() {
		t.stopSends()
		if !t.s.IsUndefined() {
			if !t.takeFn.IsUndefined() {
				t.take()
			}
			_, _ = t.s.Call("detach")
		}
		if st, err := getInt(t.ws, "readyState"); err == nil && st <= wsOpen {
			_, _ = t.ws.Call("close")
		}
		if t.fnMade {
			t.fn.Release()
		}
		t.markClosed()
	})
}

func (t *browserTransport) subprotocol() string {
	p, _ := getString(t.ws, "protocol")
	return p
}

func (t *browserTransport) handshake() Handshake {
	return Handshake{URL: t.url, Protocols: t.proto, Subprotocol: t.subprotocol()}
}

func getInt(v safejs.Value, prop string) (int, error) {
	x, err := v.Get(prop)
	if err != nil {
		return 0, err
	}
	return x.Int()
}

func getString(v safejs.Value, prop string) (string, error) {
	x, err := v.Get(prop)
	if err != nil {
		return "", err
	}
	return x.String()
}

func (t *browserTransport) markOpened() { t.openedOnce.Do(func() { close(t.opened) }) }
func (t *browserTransport) markClosed() {
	t.closedOnce.Do(func() {
		t.closedFlag.Store(true)
		close(t.closed)
	})
}
