package main

import (
	"fmt"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"github.com/redial-ws/redial/internal/faults"
)

// Subprotocols the WebSocket endpoints agree to, in preference order; a
// client that offers none of them gets no subprotocol (which is fine).
var subprotocols = []string{"chat", "redial.v1"}

// originPatterns: the page may be served from any loopback port (another
// dev server, say): those origins are allowed, others get 403.
var originPatterns = []string{"localhost", "localhost:*", "127.0.0.1", "127.0.0.1:*", "[::1]", "[::1]:*"}

// readLimit for messages from clients.
const readLimit = 1 << 20

// serveWS answers an upgrade on /ws/<kind> — or, if a fault says so,
// resets it (/api/restart) or refuses it with an HTTP status (/api/refuse).
func (s *Server) serveWS(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		client := r.URL.Query().Get("client")
		if !faults.IsUpgrade(r) {
			// Not a WebSocket: let Accept answer 426 with the reason.
			_, _ = websocket.Accept(w, r, nil)
			return
		}
		hs := newHandshake(r, client, kind, s.cfg.Now())
		if s.isDown(client) {
			hs.Outcome = "reset"
			s.saveHandshake(hs)
			faults.ResetUpgrade(w)
			return
		}
		if ref, ok := s.takeRefusal(client); ok {
			if ref.retryAfter != "" {
				w.Header().Set("Retry-After", ref.retryAfter)
			}
			// A refused upgrade leaves nothing to keep alive.
			w.Header().Set("Connection", "close")
			hs.Outcome = "refused"
			hs.setResponse(ref.status, w.Header())
			s.saveHandshake(hs)
			http.Error(w, fmt.Sprintf("refused by /api/refuse (%d %s)", ref.status, http.StatusText(ref.status)), ref.status)
			return
		}

		e := s.newConn(client, kind, isResume(kind, r))
		registered := false
		defer func() {
			e.Release()
			if registered {
				s.conns.Remove(e)
			}
		}()
		hw := &faults.Hook{
			ResponseWriter: w,
			OnHeader: func(code int, h http.Header) {
				hs.Outcome = "upgraded"
				if code != http.StatusSwitchingProtocols {
					hs.Outcome = "rejected"
				}
				hs.setResponse(code, h)
				s.saveHandshake(hs)
				if code == http.StatusSwitchingProtocols {
					// Before the 101 is written: a client that sees its
					// connection open finds it in /api/state already.
					registered = s.conns.Add(e)
				}
			},
			OnHijack: e.SetSocket,
		}
		if e.resume {
			s.serveResume(hw, r, e, &registered)
			return
		}
		c, err := websocket.Accept(hw, r, &websocket.AcceptOptions{
			Subprotocols:   subprotocols,
			OriginPatterns: originPatterns,
		})
		if err != nil {
			return
		}
		e.SetConn(c)
		if !registered { // the server is shutting down
			return
		}
		s.serveConn(e, c)
	}
}

func (s *Server) newConn(client, kind string, resume bool) *wsConn {
	s.mu.Lock()
	s.nextID++
	id := s.nextID
	s.mu.Unlock()
	e := &wsConn{
		Live: faults.NewLive(s.ctx),
		id:   id, client: client, kind: kind, resume: resume,
	}
	if !resume { // a resume connection's ticks go through its Session: nil send, trySend skips it
		e.send = make(chan outMsg, sendBuffer)
	}
	return e
}

// serveConn runs one connection: a reader goroutine (which also answers
// pings and the close handshake) and the writer, here, until either ends.
func (s *Server) serveConn(e *wsConn, c *websocket.Conn) {
	c.SetReadLimit(readLimit)
	ctx := e.Context()
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		defer e.Cancel()
		for {
			typ, p, err := c.Read(ctx)
			if err != nil {
				return
			}
			switch e.kind {
			case "echo":
				select {
				case e.send <- outMsg{typ, p}: // an echo is never dropped
				case <-ctx.Done():
					return
				}
			case "chat":
				s.broadcast("chat", outMsg{typ, p})
			}
			// ticker: what the client sends is read (so pings and closes
			// are answered) and ignored.
		}
	}()
	for {
		select {
		case m := <-e.send:
			if err := c.Write(ctx, m.typ, m.p); err != nil {
				e.Cancel()
				<-readDone
				return
			}
		case <-ctx.Done():
			<-readDone
			return
		}
	}
}

// broadcast offers m to every connection on kind; a full or stalled one
// misses it.
func (s *Server) broadcast(kind string, m outMsg) {
	for _, e := range s.targets(target{all: true, kind: kind}) {
		e.trySend(m)
	}
}

// runTicker increments the one global tick every cfg.Tick and sends it to
// every /ws/ticker connection: all clients see the same sequence, so a
// client that missed some (reconnecting, stalled) can count the gap.
func (s *Server) runTicker() {
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-s.ctx.Done():
			return
		}
		s.mu.Lock()
		s.tick++
		n := s.tick
		close(s.tickChanged)
		s.tickChanged = make(chan struct{})
		s.mu.Unlock()
		s.broadcast("ticker", outMsg{websocket.MessageText, fmt.Appendf(nil, `{"tick":%d}`, n)})
	}
}

// currentTick returns the tick and a channel closed at the next one.
func (s *Server) currentTick() (uint64, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tick, s.tickChanged
}
