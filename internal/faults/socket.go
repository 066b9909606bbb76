// Package faults holds the fault tools both loopback WebSocket servers of
// the repository use, internal/testserver (for the tests) and demo/server
// (for the page): the hijacked socket with a stall gate, the TCP cut (FIN
// or RST), the upgrade hook that captures the socket and the response
// coder/websocket writes, and the registry of live connections. A fault
// made with them is real: a socket closed, a socket that stops moving
// bytes, a handshake answered by a dropped connection. Nothing is mocked.
//
// Non-test files must not import "testing": cmd/testserver and the demo
// link this package.
package faults

import (
	"io"
	"net"
	"sync"
	"time"
)

// Socket is a hijacked TCP connection as coder/websocket sees it. A stall
// blocks its Read and Write, so the library neither consumes what the
// client sends nor answers pings nor sends anything, while the TCP
// connection stays up: a half-open connection, made on purpose. Close is
// idempotent and unblocks a stalled Read or Write.
type Socket struct {
	net.Conn
	mu       sync.Mutex
	gen      uint64
	paused   chan struct{} // non-nil while stalled; closed when lifted
	closed   chan struct{}
	framing  bool // CloseFrame is writing: a Close by the library waits for it
	closeErr error
	once     sync.Once
	wmu      sync.Mutex // one Write at a time, so CloseFrame lands between frames
}

// NewSocket wraps c, not stalled.
func NewSocket(c net.Conn) *Socket {
	return &Socket{Conn: c, closed: make(chan struct{})}
}

func (s *Socket) wait() error {
	s.mu.Lock()
	p := s.paused
	s.mu.Unlock()
	if p == nil {
		return nil
	}
	select {
	case <-p:
		return nil
	case <-s.closed:
		return net.ErrClosed
	}
}

// Read waits while the socket is stalled, then reads.
func (s *Socket) Read(b []byte) (int, error) {
	if err := s.wait(); err != nil {
		return 0, err
	}
	return s.Conn.Read(b)
}

// Write waits while the socket is stalled, then writes.
func (s *Socket) Write(b []byte) (int, error) {
	if err := s.wait(); err != nil {
		return 0, err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.Conn.Write(b)
}

// Close closes the socket once (a FIN, or an RST when unread data is
// left: the kernel's choice) and returns the first close's error.
func (s *Socket) Close() error {
	s.mu.Lock()
	framing := s.framing
	s.mu.Unlock()
	if framing { // CloseFrame closes the socket right after its frame
		return nil
	}
	return s.closeNow()
}

func (s *Socket) closeNow() error {
	s.once.Do(func() {
		close(s.closed)
		s.closeErr = s.Conn.Close()
	})
	return s.closeErr
}

// TCP is the underlying TCP connection, or nil if it is not one.
func (s *Socket) TCP() *net.TCPConn {
	tc, _ := s.Conn.(*net.TCPConn)
	return tc
}

// Stall pauses the socket (or keeps it paused) and returns a generation
// for Lift, so an older timer does not end a newer stall.
func (s *Socket) Stall() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.paused == nil {
		s.paused = make(chan struct{})
	}
	s.gen++
	return s.gen
}

// Lift ends the stall if gen is still the latest (0: unconditionally).
func (s *Socket) Lift(gen uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen != 0 && gen != s.gen {
		return
	}
	if s.paused != nil {
		close(s.paused)
		s.paused = nil
	}
}

// Stalled reports whether the socket is paused.
func (s *Socket) Stalled() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paused != nil
}

// finDrain bounds how long FIN waits for the peer to close its side.
const finDrain = 10 * time.Second

// FIN ends tc's write side with a FIN, then discards what the peer still
// sends (read from drain, which is tc or a buffered reader over it) until
// the peer closes, for at most 10 s, and closes tc. Draining matters:
// closing with unread data makes the kernel send an RST instead.
func FIN(tc *net.TCPConn, drain io.Reader) {
	_ = tc.CloseWrite()
	_ = tc.SetReadDeadline(time.Now().Add(finDrain))
	_, _ = io.Copy(io.Discard, drain)
	_ = tc.Close()
}

// RST closes c with an RST where the platform allows (SO_LINGER 0 on a
// TCP connection): the peer's next read fails with ECONNRESET, and data it
// had not read yet may be dropped.
func RST(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}
