//go:build js

package sdk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/redial-ws/redial/internal/panicerr"
)

var platformDial dialFunc = dialBrowser

// Browser WebSocket readyState values.
const (
	wsConnecting = 0
	wsOpen       = 1
)

// browserCloseWait bounds the wait for the close event after close().
const browserCloseWait = 5 * time.Second

// browserTransport wraps one browser WebSocket. Its handlers are the JS
// helper's (jshelper_js.go): the socket's events reach Go through one
// js.Func, fn, called once per batch of messages (from a MessageChannel
// task), on open and on close. fn only copies data and signals channels: it
// never blocks, and a panic in it is stopped there (catch) so it never
// crosses into JS.
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
	moreFn                 safejs.Value // ws.more, the WebSocketStream adapter's (transport_stream_js.go)
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

func dialBrowser(ctx context.Context, u string, cfg *config, _ map[string][]string) (transport, error) {
	ctor, err := webSocketConstructor(cfg)
	if err != nil {
		return nil, &URLError{u, err.Error()}
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
		return nil, fmt.Errorf("redial: cannot attach to the browser WebSocket: %w", err)
	}
	t.findMore()
	select {
	case <-t.opened:
	case <-t.closed:
		t.abort()
		t.mu.Lock()
		code, reason := t.closeCode, t.reason
		t.mu.Unlock()
		// Browsers hide why a handshake failed (refused, 401, 503 all look
		// the same): treat it as a network failure and let backoff apply.
		// The reason may quote a URL: DialError prints this through redactText.
		return nil, fmt.Errorf("redial: browser WebSocket failed to open (close %v%s); browsers do not expose the HTTP status", code, suffix(reason))
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
		defer t.catch() // never let a Go panic reach JS
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

// catch, deferred in the socket's JS callback, stops a Go panic there,
// logs it with its stack (Options.Logger) and ends the connection as a
// failure of this side's plumbing (1006, retried by the default policy,
// the panic as CloseError.Err): the event it interrupted may have been a
// close or a batch half moved, so the socket can no longer be trusted.
// fail runs on its own goroutine: the callback must not block, and the
// panic may have left a lock held.
func (t *browserTransport) catch() {
	err := panicerr.New(recover())
	if err == nil {
		return
	}
	panicerr.Report(t.cfg.log, "redial: panic in the browser WebSocket's event callback", err)
	go t.fail(fmt.Errorf("redial: browser WebSocket event callback: %w", err))
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

func (t *browserTransport) ping(context.Context) error { return errPingUnsupported }
func (t *browserTransport) canPing() bool              { return false }
func (t *browserTransport) received() *rxMark          { return t.rx }

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
