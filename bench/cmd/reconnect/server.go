package main

import (
	"context"
	"net"
	"net/http"
	"sync"

	"github.com/coder/websocket"
)

// faultServer is a coder/websocket server on loopback that greets every
// connection with one message ("hello": the first message delivered after
// a reconnect) and can inflict the two faults measured here: drop (every
// connection closed abruptly, CloseNow: a TCP FIN with no close frame,
// 1006 at the client) and down/up (the listener gone, then back on the
// same port).
type faultServer struct {
	addr  string
	mu    sync.Mutex
	ln    net.Listener
	conns map[*websocket.Conn]struct{}
}

func newFaultServer() (*faultServer, error) {
	s := &faultServer{conns: map[*websocket.Conn]struct{}{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.addr = ln.Addr().String()
	s.serve(ln)
	return s, nil
}

func (s *faultServer) url() string { return "ws://" + s.addr + "/" }

func (s *faultServer) serve(ln net.Listener) {
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	go func() { _ = http.Serve(ln, http.HandlerFunc(s.handle)) }()
}

func (s *faultServer) handle(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	s.mu.Lock()
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	}()
	ctx := context.Background()
	if err := c.Write(ctx, websocket.MessageText, []byte("hello")); err != nil {
		return
	}
	for {
		if _, _, err := c.Read(ctx); err != nil {
			return
		}
	}
}

// drop closes every open connection without a close frame.
func (s *faultServer) drop() {
	s.mu.Lock()
	cs := make([]*websocket.Conn, 0, len(s.conns))
	for c := range s.conns {
		cs = append(cs, c)
	}
	s.mu.Unlock()
	for _, c := range cs {
		c.CloseNow()
	}
}

// down closes the listener (a dial is refused) and drops every connection.
func (s *faultServer) down() {
	s.mu.Lock()
	ln := s.ln
	s.ln = nil
	s.mu.Unlock()
	if ln != nil {
		ln.Close()
	}
	s.drop()
}

// up listens again on the same port.
func (s *faultServer) up() error {
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return err
	}
	s.serve(ln)
	return nil
}
