package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redial-ws/redial/sdk"
)

// The SDK sends heartbeat pings and answers the server's pings inside
// coder/websocket, and tells its app about neither: it has no Ping method
// and no event for a pong. -P (print pings and pongs) and --slash's /ping
// and /pong need them, so the command watches its own connection's bytes:
// a tap under the TLS layer (the SDK takes an *http.Client of the app's,
// NativeOptions.HTTPClient) follows the frames each way (RFC 6455 §5.2),
// prints the control frames, and writes a ping or pong of the user's
// between two frames of the SDK's. A wss:// connection through an HTTP
// proxy is encrypted by net/http above the tap: -P shows nothing there and
// /ping says it cannot.

// WebSocket opcodes (RFC 6455 §5.2) the tap names.
const (
	opClose = 0x8
	opPing  = 0x9
	opPong  = 0xA
)

var errNoTap = errors.New("no connection open that the command can see (down, connecting, or wss:// through a proxy)")

// tap dials for the SDK and keeps the live connection's tapConn.
type tap struct {
	show bool // -P
	say  func(format string, args ...any)

	mu  sync.Mutex
	cur *tapConn
}

// httpClient is the client the SDK upgrades with: the default transport's
// settings (proxy from the environment included) with the tap's dialers.
func (t *tap) httpClient(useTLS bool, tlsConf *tls.Config) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DisableKeepAlives = true // a refused upgrade's connection is never reused: each tap starts at an HTTP head
	tr.ForceAttemptHTTP2 = false
	tr.TLSClientConfig = tlsConf
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil || useTLS {
			return c, err // wss:// via a proxy: this is the proxy's stream, TLS goes on top
		}
		return t.wrap(c), nil
	}
	if useTLS {
		tr.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			raw, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			conf := &tls.Config{}
			if tlsConf != nil {
				conf = tlsConf.Clone()
			}
			if conf.ServerName == "" {
				conf.ServerName, _, _ = net.SplitHostPort(addr)
			}
			conf.NextProtos = []string{"http/1.1"} // WebSocket upgrades need HTTP/1.1 (RFC 8441 aside)
			tc := tls.Client(raw, conf)
			if err := tc.HandshakeContext(ctx); err != nil {
				_ = raw.Close()
				return nil, err
			}
			return t.wrap(tc), nil
		}
	}
	return &http.Client{Transport: tr}
}

func (t *tap) wrap(c net.Conn) *tapConn {
	tc := &tapConn{Conn: c, tap: t}
	tc.rd = frameScanner{checkStatus: true, onHead: tc.upgraded.Store, onControl: func(op byte, p []byte) { t.show1("<", op, p) }}
	tc.wr = frameScanner{onControl: func(op byte, p []byte) { t.show1(">", op, p) }}
	t.mu.Lock()
	t.cur = tc
	t.mu.Unlock()
	return tc
}

func (t *tap) show1(dir string, op byte, p []byte) {
	if !t.show || (op != opPing && op != opPong) {
		return
	}
	kind := "ping"
	if op == opPong {
		kind = "pong"
	}
	if len(p) == 0 {
		t.say("%s %s", dir, kind)
		return
	}
	t.say("%s %s %s", dir, kind, strconv.Quote(sdk.RedactText(string(p))))
}

// send writes a ping or pong on the open connection.
func (t *tap) send(op byte, data []byte) error {
	t.mu.Lock()
	c := t.cur
	t.mu.Unlock()
	if c == nil {
		return errNoTap
	}
	return c.sendControl(op, data)
}

// tapConn is one connection's stream, followed both ways.
type tapConn struct {
	net.Conn
	tap      *tap
	upgraded atomic.Bool // the server answered 101: frames follow

	rd frameScanner // server to client; only Read touches it

	wmu     sync.Mutex
	wr      frameScanner // client to server
	pending [][]byte     // control frames waiting for the end of the SDK's frame
}

func (c *tapConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.rd.feed(p[:n])
	return n, err
}

func (c *tapConn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	n, err := c.Conn.Write(p)
	c.wr.feed(p[:n])
	for err == nil && len(c.pending) > 0 && c.wr.atBoundary() {
		f := c.pending[0]
		c.pending = c.pending[1:]
		c.writeOwn(f) // a failure shows in the SDK's next write or read
	}
	return n, err
}

func (c *tapConn) Close() error {
	c.tap.mu.Lock()
	if c.tap.cur == c {
		c.tap.cur = nil
	}
	c.tap.mu.Unlock()
	return c.Conn.Close()
}

// sendControl writes a control frame now if no frame of the SDK's is half
// written, else right after it.
func (c *tapConn) sendControl(op byte, data []byte) error {
	if !c.upgraded.Load() {
		return errNoTap
	}
	f := clientFrame(op, data)
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if !c.wr.atBoundary() {
		c.pending = append(c.pending, f)
		return nil
	}
	return c.writeOwn(f)
}

func (c *tapConn) writeOwn(f []byte) error {
	n, err := c.Conn.Write(f)
	c.wr.feed(f[:n])
	return err
}

// clientFrame is a final, masked control frame (RFC 6455 §5.2, §5.3: a
// client masks every frame with a fresh key from a strong source).
// data is at most 125 bytes (§5.5); the caller checks.
func clientFrame(op byte, data []byte) []byte {
	f := []byte{0x80 | op, 0x80 | byte(len(data)), 0, 0, 0, 0}
	_, _ = rand.Read(f[2:6]) // crypto/rand.Read never fails (Go 1.24+)
	for i, b := range data {
		f = append(f, b^f[2+i%4])
	}
	return f
}

// frameScanner follows one direction of a WebSocket stream: past the HTTP
// head, then frame by frame, and hands each control frame's payload
// (unmasked) to onControl. It only watches; a stream it cannot follow
// (not a 101, a head over 64 KiB) makes it stop.
type frameScanner struct {
	checkStatus bool       // the head must be an HTTP 101 (the server's side)
	onHead      func(bool) // called once the head ended and passed
	onControl   func(op byte, payload []byte)

	head     []byte
	inFrames bool
	dead     bool
	hdr      []byte // the current frame's header so far
	remain   uint64 // payload bytes left in the current frame
	op       byte
	mask     []byte // nil: not masked
	ctl      []byte // a control frame's payload so far
}

const maxHead = 64 << 10

func (s *frameScanner) atBoundary() bool {
	return s.inFrames && !s.dead && len(s.hdr) == 0 && s.remain == 0
}

func (s *frameScanner) feed(p []byte) {
	for len(p) > 0 && !s.dead {
		if !s.inFrames {
			p = s.feedHead(p)
			continue
		}
		if s.remain == 0 {
			p = s.feedHeader(p)
			continue
		}
		n := int(min(s.remain, uint64(len(p))))
		if s.op >= opClose {
			for _, b := range p[:n] {
				if s.mask != nil {
					b ^= s.mask[len(s.ctl)%4]
				}
				s.ctl = append(s.ctl, b)
			}
		}
		s.remain -= uint64(n)
		p = p[n:]
		if s.remain == 0 {
			s.endFrame()
		}
	}
}

// feedHead takes bytes of the HTTP head and returns what follows it.
func (s *frameScanner) feedHead(p []byte) []byte {
	from := max(len(s.head)-3, 0)
	s.head = append(s.head, p...)
	i := bytes.Index(s.head[from:], []byte("\r\n\r\n"))
	if i < 0 {
		s.dead = len(s.head) > maxHead
		return nil
	}
	end := from + i + 4
	rest := s.head[end:]
	ok := !s.checkStatus || bytes.HasPrefix(s.head, []byte("HTTP/1.1 101 "))
	s.head = nil
	s.inFrames, s.dead = ok, !ok
	if ok && s.onHead != nil {
		s.onHead(true)
	}
	return rest
}

// feedHeader takes bytes of a frame header (RFC 6455 §5.2) and returns
// what follows the part it took.
func (s *frameScanner) feedHeader(p []byte) []byte {
	n := min(s.headerLen()-len(s.hdr), len(p))
	s.hdr = append(s.hdr, p[:n]...)
	p = p[n:]
	if len(s.hdr) < s.headerLen() {
		return p // more to come (the first two bytes tell how much)
	}
	h := s.hdr
	s.op = h[0] & 0x0f
	length := uint64(h[1] & 0x7f)
	rest := h[2:]
	switch length {
	case 126:
		length, rest = uint64(binary.BigEndian.Uint16(rest)), rest[2:]
	case 127:
		length, rest = binary.BigEndian.Uint64(rest), rest[8:]
	}
	s.mask = nil
	if h[1]&0x80 != 0 {
		s.mask = append([]byte(nil), rest[:4]...)
	}
	s.hdr = s.hdr[:0]
	s.ctl = s.ctl[:0]
	s.remain = length
	if length == 0 {
		s.endFrame()
	}
	return p
}

// headerLen is the current frame header's length, as far as known.
func (s *frameScanner) headerLen() int {
	if len(s.hdr) < 2 {
		return 2
	}
	n := 2
	switch s.hdr[1] & 0x7f {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if s.hdr[1]&0x80 != 0 {
		n += 4
	}
	return n
}

func (s *frameScanner) endFrame() {
	if s.op >= opClose && s.onControl != nil {
		s.onControl(s.op, s.ctl)
	}
}
