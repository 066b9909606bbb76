//go:build js

package sdk

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/hack-pad/safejs"
)

// NativeOptions exist only natively; in the browser the struct is empty
// and Options.Native is ignored.
type NativeOptions struct{}

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

// browserTransport wraps one browser WebSocket. Its event callbacks only
// copy data and signal channels: they never block, and a panic in them
// is recovered so it never crosses into JS.
type browserTransport struct {
	ws    safejs.Value
	cfg   *config // its Conn's: the key in liveSockets
	url   string
	proto []string
	in    *inbox

	opened chan struct{}
	closed chan struct{}
	funcs  []safejs.Func

	mu        sync.Mutex
	closeCode StatusCode
	reason    string
	failed    bool // an error event came before open

	releaseOnce, openedOnce, closedOnce sync.Once
}

func dialBrowser(ctx context.Context, u string, cfg *config, _ map[string][]string) (transport, error) {
	ctor, err := safejs.Global().Get("WebSocket")
	if err != nil || ctor.IsUndefined() {
		return nil, &URLError{u, "this JavaScript environment has no WebSocket"}
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
		ws: ws, cfg: cfg, url: u, proto: cfg.Subprotocols, in: newInbox(),
		opened: make(chan struct{}), closed: make(chan struct{}),
	}
	if err := t.listen(); err != nil {
		t.abort()
		return nil, err
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
	liveSockets.Store(cfg, t)
	return t, nil
}

// liveSockets maps a Conn's *config (one per Conn) to its open transport,
// so BufferedAmount can reach the browser socket; abort removes it.
var liveSockets sync.Map

// BufferedAmount is the browser build's WebSocket.bufferedAmount: bytes
// queued by Write and not yet handed to the browser, plus bytes the
// browser's socket has not sent yet. Browser build only (the JS API's
// RedialSocket.bufferedAmount).
func (c *Conn) BufferedAmount() int {
	_, n := c.queue.size()
	if t, ok := liveSockets.Load(c.cfg); ok {
		if b, err := getInt(t.(*browserTransport).ws, "bufferedAmount"); err == nil {
			n += b
		}
	}
	return n
}

func suffix(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + reason
}

// listen installs the four event handlers.
func (t *browserTransport) listen() error {
	if err := t.ws.Set("binaryType", "arraybuffer"); err != nil {
		return err
	}
	handlers := map[string]func(args []safejs.Value){
		"onopen": func([]safejs.Value) { t.markOpened() },
		"onmessage": func(args []safejs.Value) {
			if len(args) > 0 {
				t.onMessage(args[0])
			}
		},
		"onerror": func([]safejs.Value) {
			t.mu.Lock()
			t.failed = true
			t.mu.Unlock()
		},
		"onclose": func(args []safejs.Value) {
			code, reason := StatusAbnormalClosure, ""
			if len(args) > 0 {
				if c, err := getInt(args[0], "code"); err == nil {
					code = StatusCode(c)
				}
				if r, err := getString(args[0], "reason"); err == nil {
					reason = r
				}
			}
			t.mu.Lock()
			t.closeCode, t.reason = code, reason
			t.mu.Unlock()
			t.markClosed()
		},
	}
	for name, h := range handlers {
		h := h
		f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
			defer func() { _ = recover() }() // never let a Go panic reach JS
			h(args)
			return nil
		})
		if err != nil {
			return err
		}
		t.funcs = append(t.funcs, f)
		if err := t.ws.Set(name, f.Value()); err != nil {
			return err
		}
	}
	return nil
}

func (t *browserTransport) onMessage(ev safejs.Value) {
	data, err := ev.Get("data")
	if err != nil {
		return
	}
	if data.Type() == safejs.TypeString {
		s, err := data.String()
		if err == nil {
			t.in.put(inMsg{MessageText, []byte(s)})
		}
		return
	}
	u8ctor, err := safejs.Global().Get("Uint8Array")
	if err != nil {
		return
	}
	view, err := u8ctor.New(data)
	if err != nil {
		return
	}
	n, err := view.Length()
	if err != nil {
		return
	}
	p := make([]byte, n)
	if _, err := safejs.CopyBytesToGo(p, view); err == nil {
		t.in.put(inMsg{MessageBinary, p})
	}
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
			return 0, nil, &CloseError{Code: t.closeCode, Reason: t.reason}
		case <-ctx.Done():
			return 0, nil, ctx.Err()
		}
	}
}

func (t *browserTransport) write(ctx context.Context, typ MessageType, p []byte) error {
	if err := t.waitDrain(ctx); err != nil {
		return err
	}
	var arg any = string(p)
	if typ == MessageBinary {
		u8ctor, err := safejs.Global().Get("Uint8Array")
		if err != nil {
			return err
		}
		u8, err := u8ctor.New(len(p))
		if err != nil {
			return err
		}
		if _, err := safejs.CopyBytesToJS(u8, p); err != nil {
			return err
		}
		arg = u8
	}
	if _, err := t.ws.Call("send", arg); err != nil {
		return wrap("redial: WebSocket.send: "+err.Error(), err)
	}
	return nil
}

// waitDrain holds a write while the browser's send buffer is over the
// high-water mark. The browser offers no event for it, so poll briefly.
func (t *browserTransport) waitDrain(ctx context.Context) error {
	for {
		st, err := getInt(t.ws, "readyState")
		if err != nil {
			return err
		}
		if st != wsOpen {
			return &CloseError{Code: StatusAbnormalClosure, Reason: "socket no longer open"}
		}
		n, err := getInt(t.ws, "bufferedAmount")
		if err != nil || n <= sendHighWater {
			return err
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

// close sends a close frame. A page may only send 1000 or 3000–4999; other
// codes the Go API accepts (1001–1003, 1007–1014) are sent as 1000 with the
// original code at the head of the reason, so it is not lost.
func (t *browserTransport) close(code StatusCode, reason string) error {
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

func browserCloseArgs(code StatusCode, reason string) (StatusCode, string) {
	if code == StatusNormalClosure || (code >= 3000 && code <= 4999) {
		return code, reason
	}
	r := itoa(int(code))
	if reason != "" {
		r += " " + reason
	}
	for len(r) > maxCloseReason {
		r = r[:len(r)-1]
	}
	return StatusNormalClosure, strings.ToValidUTF8(r, "")
}

// abort detaches the handlers, closes the socket if still up, and releases
// every js.Func: after it, no callback of this socket can run.
func (t *browserTransport) abort() {
	t.releaseOnce.Do(func() {
		liveSockets.CompareAndDelete(t.cfg, t)
		for _, name := range []string{"onopen", "onmessage", "onerror", "onclose"} {
			_ = t.ws.Set(name, safejs.Null())
		}
		if st, err := getInt(t.ws, "readyState"); err == nil && st <= wsOpen {
			_, _ = t.ws.Call("close")
		}
		for _, f := range t.funcs {
			f.Release()
		}
		t.funcs = nil
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
func (t *browserTransport) markClosed() { t.closedOnce.Do(func() { close(t.closed) }) }
