// Package rawws is a WebSocket server for streams no well-behaved library
// writes: it performs a real opening handshake on a raw net.Listener
// (RFC 6455 §4.2.2, Sec-WebSocket-Accept computed from the client's key)
// and then hands the TCP connection to a script that writes exact bytes and
// ends the stream exactly as the test asks: FIN (Cut) or RST (Reset).
//
// It is for native tests only (the browser cannot reach a script in-process).
package rawws

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/redial-ws/redial/internal/faults"
	"github.com/redial-ws/redial/internal/wsaccept"
)

// Script runs once per accepted connection, after the 101 was sent. n is
// the connection's index (0 for the first) so a test can cut the first
// and serve the next. When the script returns the server cuts the
// connection with a FIN (if the script did not end it already).
type Script func(n int, c *Conn)

// Server accepts WebSocket upgrades on 127.0.0.1 and runs a Script on each.
type Server struct {
	ln     net.Listener
	script Script
	tls    *tls.Config // nil: plain ws
	roots  *x509.CertPool

	mu    sync.Mutex
	conns map[*net.TCPConn]struct{}
	n     int

	wg sync.WaitGroup
}

// Start listens on a free loopback port and serves until Close.
func Start(script Script) (*Server, error) { return start(script, nil, nil) }

func start(script Script, cfg *tls.Config, roots *x509.CertPool) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln, script: script, tls: cfg, roots: roots, conns: map[*net.TCPConn]struct{}{}}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// StartTLS is Start for wss, with a fresh self-signed certificate for
// 127.0.0.1 that RootCAs trusts. Cut sends a TLS close_notify before the
// FIN, as a server closing gracefully at the TLS layer does.
func StartTLS(script Script) (*Server, error) {
	cert, roots, err := selfSigned()
	if err != nil {
		return nil, err
	}
	return start(script, &tls.Config{Certificates: []tls.Certificate{cert}}, roots)
}

// RootCAs trusts the certificate of a StartTLS server (nil for Start).
func (s *Server) RootCAs() *x509.CertPool { return s.roots }

// URL is ws://127.0.0.1:port/ (wss:// for StartTLS).
func (s *Server) URL() string {
	if s.roots != nil {
		return "wss://" + s.ln.Addr().String() + "/"
	}
	return "ws://" + s.ln.Addr().String() + "/"
}

// Close stops listening, resets every open connection and waits for the
// scripts to return.
func (s *Server) Close() {
	_ = s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		faults.RST(c)
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		tc := c.(*net.TCPConn)
		s.mu.Lock()
		s.conns[tc] = struct{}{}
		n := s.n
		s.n++
		s.mu.Unlock()
		s.wg.Add(1)
		go s.handle(n, tc)
	}
}

func (s *Server) handle(n int, tc *net.TCPConn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, tc)
		s.mu.Unlock()
		_ = tc.Close()
	}()
	c := &Conn{TCP: tc, rw: tc}
	if s.tls != nil {
		c.tls = tls.Server(tc, s.tls)
		c.rw = c.tls
	}
	c.br = bufio.NewReader(c.rw)
	if err := c.upgrade(); err != nil {
		return
	}
	s.script(n, c)
	c.Cut()
}

// Conn is one upgraded connection, seen from the server.
type Conn struct {
	TCP *net.TCPConn
	tls *tls.Conn // nil: plain
	rw  net.Conn  // TCP or tls
	br  *bufio.Reader

	once sync.Once
}

// upgrade reads the client's request and answers 101 with the right accept.
func (c *Conn) upgrade() error {
	_ = c.TCP.SetReadDeadline(time.Now().Add(10 * time.Second))
	req, err := http.ReadRequest(c.br)
	if err != nil {
		return err
	}
	_ = c.TCP.SetReadDeadline(time.Time{})
	key := req.Header.Get("Sec-WebSocket-Key")
	if key == "" || !faults.IsUpgrade(req) {
		_, _ = io.WriteString(c.rw, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
		return errors.New("rawws: not a WebSocket upgrade")
	}
	_, err = io.WriteString(c.rw, "HTTP/1.1 101 Switching Protocols\r\n"+
		"Upgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Accept: "+wsaccept.Accept(key)+"\r\n\r\n")
	return err
}

// Write writes p to the stream as is.
func (c *Conn) Write(p []byte) error {
	_, err := c.rw.Write(p)
	return err
}

// Cut ends the stream with a FIN (shutdown of the write side; over TLS a
// close_notify alert first), then
// discards what the client still sends until it closes (bounded), so the
// kernel never turns the close into an RST because of unread data.
func (c *Conn) Cut() {
	c.once.Do(func() {
		if c.tls != nil {
			_ = c.tls.CloseWrite()
		}
		faults.FIN(c.TCP, c.br)
	})
}

// Reset ends the stream with an RST (SO_LINGER 0, then close): the client's
// read fails with ECONNRESET, and data it had not read yet may be dropped.
func (c *Conn) Reset() {
	c.once.Do(func() {
		faults.RST(c.TCP)
	})
}

// ServeUntilClose answers the client's frames until its close frame, which
// it echoes (so the client's close handshake ends at once), or until the
// stream ends. Pings are answered with pongs.
func (c *Conn) ServeUntilClose() {
	for {
		op, p, err := ReadFrame(c.br)
		if err != nil {
			return
		}
		switch op {
		case OpClose:
			_ = c.Write(Frame(true, OpClose, p))
			return
		case OpPing:
			if c.Write(Frame(true, OpPong, p)) != nil {
				return
			}
		}
	}
}
