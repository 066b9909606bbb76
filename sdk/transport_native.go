//go:build !js

package sdk

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/coder/websocket"
)

var platformDial = finalDial(dialNative)

// recordingTransport captures the upgrade request as sent, so the
// Sec-WebSocket-Key that coder/websocket generates can be shown and the
// server's accept verified in the open. It also puts eofGuard on the
// upgraded connection, whatever the next RoundTripper is.
type recordingTransport struct {
	next   http.RoundTripper
	mu     sync.Mutex
	req    string         // the request's headers, packed (handshake_pack.go)
	key    string         // its Sec-WebSocket-Key
	conn   io.Closer      // the upgraded connection (a 101's body), for abort
	answer *http.Response // the server's answer, for upgradeFailure
}

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	packed, key := packHeader(req.Header), headerValue(req.Header, "Sec-WebSocket-Key")
	r.mu.Lock()
	r.req, r.key = packed, key
	r.mu.Unlock()
	resp, err := r.next.RoundTrip(req)
	err = markNotHTTP(err)
	if err == nil {
		r.mu.Lock()
		r.answer = resp
		r.mu.Unlock()
	}
	if err == nil && resp.StatusCode == http.StatusSwitchingProtocols {
		guardUpgrade(resp) // no partial message as a whole one: eofguard_native.go
		r.mu.Lock()
		r.conn = resp.Body
		r.mu.Unlock()
	}
	return resp, err
}

// sent is the request's headers, packed, and its Sec-WebSocket-Key.
func (r *recordingTransport) sent() (packed, key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.req, r.key
}

func dialNative(ctx context.Context, u string, cfg *config, header map[string][]string) (transport, error) {
	client := &http.Client{}
	var native NativeOptions
	if cfg.Native != nil {
		native = *cfg.Native
	}
	if native.HTTPClient != nil {
		*client = *native.HTTPClient
	}
	client.CheckRedirect = refuseRedirect // as browsers do: redirect_native.go
	next, own := client.Transport, false
	if next == nil {
		// A transport of our own per attempt: after a refused upgrade
		// (401, 503…) the keep-alive connection would otherwise idle in
		// http.DefaultTransport's pool, goroutines and all. A successful
		// upgrade hijacks its connection, so closing idle ones is safe.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		// HTTP/1 only: an upgrade is HTTP/1.1 (RFC 6455 §4.1), which
		// net/http enforces for it anyway; so the fresh transport does
		// not set up HTTP/2 on its first request (about 1 KB and its CPU
		// per attempt).
		tr.Protocols = new(http.Protocols)
		tr.Protocols.SetHTTP1(true)
		if native.TLSConfig != nil {
			tr.TLSClientConfig = native.TLSConfig.Clone()
		}
		defer tr.CloseIdleConnections()
		next, own = tr, true
	}
	next, done := hookProxyConnect(next, own)
	defer done()
	rec := &recordingTransport{next: next}
	client.Transport = rec

	c, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{
		HTTPClient:   client,
		HTTPHeader:   http.Header(header),
		Host:         native.Host,
		Subprotocols: cfg.Subprotocols,
	})
	if err != nil {
		rec.mu.Lock()
		answer := rec.answer
		rec.mu.Unlock()
		return nil, upgradeFailure(err, resp, answer)
	}
	sent, key := rec.sent()
	hs := hsRecord{ // packed at once: the Conn keeps it (handshake_pack.go)
		url:         u,
		subprotocol: c.Subprotocol(),
		protocols:   cfg.Subprotocols,
		status:      int32(resp.StatusCode),
		req:         sent,
		resp:        packHeader(resp.Header),
		acceptValid: key != "" && headerValue(resp.Header, "Sec-WebSocket-Accept") == ComputeAccept(key),
	}

	if len(cfg.Subprotocols) > 0 && c.Subprotocol() == "" {
		_ = c.Close(websocket.StatusProtocolError, "no subprotocol agreed")
		return nil, &HandshakeError{
			StatusCode: resp.StatusCode,
			Header:     resp.Header,
			Err:        errors.New("the server agreed to none of the subprotocols offered: " + strings.Join(cfg.Subprotocols, ", ")),
		}
	}
	c.SetReadLimit(cfg.ReadLimit)
	rec.mu.Lock()
	conn := rec.conn
	rec.mu.Unlock()
	return &nativeTransport{c: c, hs: hs, conn: conn, rx: rxMark{clk: cfg.clock}}, nil
}

type nativeTransport struct {
	c    *websocket.Conn
	hs   hsRecord
	conn io.Closer // the socket under c; nil if the RoundTripper hid it
	rx   rxMark
}

// read and write pass coder/websocket a context that never ends: given a
// cancelable one it arms a context.AfterFunc per call (allocations and
// latency on every message). Nothing is lost: the supervisor always ends a
// connection with abort, which unblocks both.
func (t *nativeTransport) read(context.Context) (MessageType, []byte, error) {
	typ, p, err := t.c.Read(context.Background())
	if err != nil {
		return 0, nil, nativeCloseError(err)
	}
	t.rx.mark()
	if typ == websocket.MessageText && !utf8.Valid(p) {
		return 0, nil, t.failInvalidText(p) // RFC 6455 §8.1: utf8_native.go
	}
	return MessageType(typ), p, nil
}

// nativeCloseError turns coder/websocket's read error into the close that
// ended the connection: the peer's close frame, or 1006 (no frame).
func nativeCloseError(err error) error {
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return &CloseError{Code: StatusCode(ce.Code), Reason: ce.Reason}
	}
	// coder/websocket enforces the read limit by closing with 1009 and
	// returning an error that has only this text to tell it apart.
	if strings.Contains(err.Error(), "read limited at") {
		return &CloseError{Code: StatusMessageTooBig, Reason: "message over Options.ReadLimit", Local: true}
	}
	return &CloseError{Code: StatusAbnormalClosure, Err: err}
}

func (t *nativeTransport) write(_ context.Context, typ MessageType, p []byte) error {
	return t.c.Write(context.Background(), websocket.MessageType(typ), p)
}

func (t *nativeTransport) ping(ctx context.Context) error { return t.c.Ping(ctx) }

func (t *nativeTransport) close(code StatusCode, reason string) error {
	return t.c.Close(websocket.StatusCode(code), reason)
}

// abort closes the socket first: coder/websocket's CloseNow does not cut a
// Close in progress (it waits for it, up to 5 s per step), so a close
// handshake with a peer that stopped reading could not be cut short.
func (t *nativeTransport) abort() {
	if t.conn != nil {
		_ = t.conn.Close()
	}
	_ = t.c.CloseNow()
}

func (t *nativeTransport) handshake() Handshake { return t.hs.handshake() }

// handshakeRecord is the handshake as the Conn keeps it (serve).
func (t *nativeTransport) handshakeRecord() hsRecord { return t.hs }

// buffered is 0: coder/websocket's Write returns once the frame is written
// to the socket; the kernel's buffer is not visible.
func (t *nativeTransport) buffered() int { return 0 }

func (t *nativeTransport) canPing() bool     { return true }
func (t *nativeTransport) received() *rxMark { return &t.rx }

// leftover is nil: coder/websocket cannot be read after CloseNow, and
// nothing is lost by it. A complete message is returned by read as soon
// as it arrives, and the heartbeat never ends a connection whose reader
// waits for the app (see Conn.appBlocked), so at an abort the reader holds
// at most the one message it carries over (Conn.carried).
func (t *nativeTransport) leftover() []inMsg { return nil }
