package main

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"sync"

	"github.com/coder/websocket"
)

// wsConn is one live WebSocket connection of a client on one endpoint.
type wsConn struct {
	id     uint64
	client string // ?client= on the WebSocket URL; "" when absent
	kind   string // "echo", "ticker" or "chat"

	// ctx ends when the connection ends (or is cut): every read, write and
	// wait of its goroutines is bound to it.
	ctx    context.Context
	cancel context.CancelFunc
	send   chan outMsg // to the writer; ticks and chat are dropped when full

	ready     chan struct{} // closed once c is set, or the handler gave up
	readyOnce sync.Once

	mu   sync.Mutex
	c    *websocket.Conn
	gate *gatedConn // the hijacked socket, wrapped
	dead bool       // cut before the socket arrived: close it on arrival
}

type outMsg struct {
	typ websocket.MessageType
	p   []byte
}

// sendBuffer: 25 s of ticks. A connection that falls further behind (or is
// stalled) misses ticks, and the page sees the gap.
const sendBuffer = 256

func (e *wsConn) setGate(g *gatedConn) {
	e.mu.Lock()
	e.gate = g
	dead := e.dead
	e.mu.Unlock()
	if dead {
		_ = g.Close()
	}
}

func (e *wsConn) setConn(c *websocket.Conn) {
	e.mu.Lock()
	e.c = c
	e.mu.Unlock()
	e.markReady()
}

func (e *wsConn) markReady() { e.readyOnce.Do(func() { close(e.ready) }) }

// conn waits until the handshake finished and returns the connection, or
// nil if the handler gave up.
func (e *wsConn) conn() *websocket.Conn {
	<-e.ready
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.c
}

func (e *wsConn) socket() *gatedConn {
	<-e.ready
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.gate
}

// cut drops the TCP connection with no close frame. Closing the socket
// itself, rather than only websocket.Conn.CloseNow, makes it immediate even
// while the library is inside a close handshake or a stalled write.
func (e *wsConn) cut() {
	e.mu.Lock()
	e.dead = true
	g, c := e.gate, e.c
	e.mu.Unlock()
	e.cancel()
	if g != nil {
		_ = g.Close()
	}
	if c != nil {
		_ = c.CloseNow()
	}
}

func (e *wsConn) stalled() bool {
	e.mu.Lock()
	g := e.gate
	e.mu.Unlock()
	return g != nil && g.isStalled()
}

// trySend queues m unless the buffer is full or the connection is stalled:
// a half-open connection loses what is sent meanwhile, as a real one would.
func (e *wsConn) trySend(m outMsg) bool {
	if e.stalled() {
		return false
	}
	select {
	case e.send <- m:
		return true
	default:
		return false
	}
}

// gatedConn is the hijacked TCP connection as coder/websocket sees it. A
// stall blocks its Read and Write, so the library neither consumes what
// the client sends nor answers pings nor sends anything, while the TCP
// connection stays up: a half-open connection, made on purpose.
type gatedConn struct {
	net.Conn
	mu       sync.Mutex
	gen      uint64
	paused   chan struct{} // non-nil while stalled; closed when lifted
	closed   chan struct{}
	closeErr error
	once     sync.Once
}

func newGatedConn(c net.Conn) *gatedConn {
	return &gatedConn{Conn: c, closed: make(chan struct{})}
}

func (g *gatedConn) wait() error {
	g.mu.Lock()
	p := g.paused
	g.mu.Unlock()
	if p == nil {
		return nil
	}
	select {
	case <-p:
		return nil
	case <-g.closed:
		return net.ErrClosed
	}
}

func (g *gatedConn) Read(b []byte) (int, error) {
	if err := g.wait(); err != nil {
		return 0, err
	}
	return g.Conn.Read(b)
}

func (g *gatedConn) Write(b []byte) (int, error) {
	if err := g.wait(); err != nil {
		return 0, err
	}
	return g.Conn.Write(b)
}

func (g *gatedConn) Close() error {
	g.once.Do(func() {
		close(g.closed)
		g.closeErr = g.Conn.Close()
	})
	return g.closeErr
}

// stall pauses the connection (or keeps it paused) and returns a
// generation for lift, so an older timer does not end a newer stall.
func (g *gatedConn) stall() uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.paused == nil {
		g.paused = make(chan struct{})
	}
	g.gen++
	return g.gen
}

// lift ends the stall if gen is still the latest (0: unconditionally).
func (g *gatedConn) lift(gen uint64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if gen != 0 && gen != g.gen {
		return
	}
	if g.paused != nil {
		close(g.paused)
		g.paused = nil
	}
}

func (g *gatedConn) isStalled() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.paused != nil
}

// hookWriter sits between websocket.Accept and net/http. It sees the
// status and headers coder/websocket actually writes (so the handshake
// report shows the real Sec-WebSocket-Accept, and the connection is
// registered before the client can see its 101), and it wraps the hijacked
// socket in a gatedConn.
type hookWriter struct {
	http.ResponseWriter
	onHeader func(code int, h http.Header)
	onHijack func(g *gatedConn)
}

func (w *hookWriter) WriteHeader(code int) {
	w.onHeader(code, w.Header())
	w.ResponseWriter.WriteHeader(code)
}

func (w *hookWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	g := newGatedConn(c)
	w.onHijack(g)
	// coder/websocket reads from the returned net.Conn (after what net/http
	// buffered) but writes through brw.Writer, which net/http points at the
	// raw socket: point it at the gate. It is empty right after Hijack.
	brw.Writer.Reset(g)
	return g, brw, nil
}

// resetConn answers an upgrade by dropping the TCP connection at once,
// with an RST where the platform allows: to a browser it looks like a
// server that is not there (error, then close 1006).
func resetConn(w http.ResponseWriter) {
	c, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}
