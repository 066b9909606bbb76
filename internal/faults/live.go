package faults

import (
	"context"
	"sync"

	"github.com/coder/websocket"
)

// Live is one hijacked connection a server must be able to cut, stall or
// close at any moment: its socket, its *websocket.Conn once Accept
// returned, and a context that bounds every read, write and wait of the
// goroutines serving it. Its methods are safe for concurrent use.
type Live struct {
	ctx    context.Context
	cancel context.CancelFunc

	ready     chan struct{} // closed once the conn is set, or the handler gave up
	readyOnce sync.Once

	mu   sync.Mutex
	sock *Socket
	conn *websocket.Conn
	dead bool // Cut was called: a late socket or conn is closed on arrival
}

// NewLive returns a Live whose context ends with parent or with Cut.
func NewLive(parent context.Context) *Live {
	ctx, cancel := context.WithCancel(parent)
	return &Live{ctx: ctx, cancel: cancel, ready: make(chan struct{})}
}

// Context ends when the connection is cut or released (or its parent ends).
func (l *Live) Context() context.Context { return l.ctx }

// Cancel ends Context without touching the socket: goroutines waiting on
// it return, and the handler's Release closes what is left.
func (l *Live) Cancel() { l.cancel() }

// Ready is closed once SetConn or MarkReady ran.
func (l *Live) Ready() <-chan struct{} { return l.ready }

// MarkReady closes Ready: the handler has its conn, or gave up.
func (l *Live) MarkReady() { l.readyOnce.Do(func() { close(l.ready) }) }

// SetSocket records the hijacked socket (Hook.OnHijack). After a Cut it
// closes it at once.
func (l *Live) SetSocket(s *Socket) {
	l.mu.Lock()
	l.sock = s
	dead := l.dead
	l.mu.Unlock()
	if dead {
		_ = s.Close()
	}
}

// SetConn records the upgraded connection and closes Ready. After a Cut
// it closes it at once.
func (l *Live) SetConn(c *websocket.Conn) {
	l.mu.Lock()
	l.conn = c
	dead := l.dead
	l.mu.Unlock()
	l.MarkReady()
	if dead {
		_ = c.CloseNow()
	}
}

// Socket waits for Ready and returns the socket (nil if there was none).
func (l *Live) Socket() *Socket {
	<-l.ready
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sock
}

// Conn waits for Ready and returns the connection (nil if the upgrade
// failed).
func (l *Live) Conn() *websocket.Conn {
	<-l.ready
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.conn
}

// Stalled reports whether the socket is stalled; it does not wait.
func (l *Live) Stalled() bool {
	l.mu.Lock()
	s := l.sock
	l.mu.Unlock()
	return s != nil && s.Stalled()
}

// Cut drops the TCP connection with no close frame (the peer sees 1006).
// Closing the socket itself, rather than only websocket.Conn.CloseNow,
// makes it immediate: CloseNow is a no-op on the wire while another
// goroutine is inside Close's handshake or a stalled write.
func (l *Live) Cut() {
	l.mu.Lock()
	l.dead = true
	s, c := l.sock, l.conn
	l.mu.Unlock()
	l.cancel()
	if s != nil {
		_ = s.Close()
	}
	if c != nil {
		_ = c.CloseNow()
	}
}

// CloseHandshake runs the close handshake with code and reason (lifting
// a stall first, or the frame could not go out). It waits for Ready and
// for the peer's answer, up to coder/websocket's 5 s.
func (l *Live) CloseHandshake(code websocket.StatusCode, reason string) {
	if s := l.Socket(); s != nil {
		s.Lift(0)
	}
	if c := l.Conn(); c != nil {
		_ = c.Close(code, reason)
	}
}

// Release is deferred by the handler that made l: it closes the conn and
// the socket if still open, ends Context and closes Ready.
func (l *Live) Release() {
	l.mu.Lock()
	s, c := l.sock, l.conn
	l.mu.Unlock()
	if c != nil {
		_ = c.CloseNow()
	}
	if s != nil {
		_ = s.Close()
	}
	l.cancel()
	l.MarkReady()
}
