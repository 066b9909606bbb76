// Package server is the server half of redial's resume mode
// (docs/resume.md): an http.Handler that serves WebSocket clients through
// Sessions that outlive their connections. A resume client (one that
// opens "?redial-resume=1") gets every message exactly once, in order,
// in both directions, across any number of reconnects, or a documented
// close (4504). A plain WebSocket client is served through the same
// Session API, without replay.
package server

import (
	"context"
	"crypto/rand"
	"net/http"
	"sync"

	"github.com/coder/websocket"
	"github.com/redial-ws/redial/internal/resumewire"
	"github.com/redial-ws/redial/sdk"
)

// Server accepts WebSocket connections and runs handler once per session.
// It is an http.Handler: put your auth in front of it, it runs on every
// connection, reconnects included (a session id is only a resumption
// token).
type Server struct {
	opts    Options
	handler func(ctx context.Context, s *Session)

	mu       sync.Mutex
	sessions map[resumewire.SessionID]*Session
	closed   bool
	wg       sync.WaitGroup // handlers, writers, expiry waits

	stopMoves func() // unsubscribes from the Store's move notices (nil: none)
	ownStore  bool   // Options.Store was nil: a MemoryStore only this Server uses
}

// New returns a Server that calls handler once per session, in its own
// goroutine: at a plain client's connection, at a resume client's first
// connection (or, with a shared Store, when the session arrives from
// another node). ctx ends when the session ends; context.Cause(ctx) says
// why (a *CloseError, ErrSessionExpired, ErrSessionMoved, ErrServerClosed,
// ErrStore). When handler returns, the session is closed with 1000 if it
// was still open; a panic in handler closes it with 1011.
//
// If Options.Store implements MoveNotifier, New subscribes to its move
// notices (until Close), so a session claimed by another node ends here
// at once.
func New(opts *Options, handler func(ctx context.Context, s *Session)) *Server {
	srv := &Server{
		opts:     opts.withDefaults(),
		handler:  handler,
		sessions: make(map[resumewire.SessionID]*Session),
		ownStore: opts == nil || opts.Store == nil,
	}
	srv.watchMoves()
	return srv
}

// ServeHTTP upgrades the request (websocket.Accept with
// Options.AcceptOptions; a failed upgrade is answered by Accept) and
// serves the connection until it ends. It returns when the connection is
// gone; the session may live on.
func (srv *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	resume := r.URL.Query().Get(QueryParam) == "1"
	ws, err := websocket.Accept(guardEOF(w), r, srv.opts.AcceptOptions)
	if err != nil {
		return
	}
	srv.mu.Lock()
	closed := srv.closed
	srv.mu.Unlock()
	if closed {
		_ = ws.Close(websocket.StatusServiceRestart, "server closed")
		return
	}
	if !resume {
		ws.SetReadLimit(srv.opts.ReadLimit)
		srv.servePlain(ws)
		return
	}
	ws.SetReadLimit(srv.opts.ReadLimit + resumewire.MaxHeader)
	srv.serveResume(r, ws)
}

// Close ends every session (cause ErrServerClosed; resume clients get
// 1012), refuses new connections with 1012, and waits for every handler
// to return. It does not delete the sessions from a Store passed in
// Options.Store: with a shared store (server/redisstore) a client's
// reconnect to another node resumes its session there, which makes Close
// a graceful shutdown for a rolling deploy; a session no node claims
// expires after SessionTTL. With the default store (Options.Store nil)
// the sessions die with the Server: a reconnect gets 4504.
func (srv *Server) Close() error {
	srv.mu.Lock()
	srv.closed = true
	all := make([]*Session, 0, len(srv.sessions))
	for _, s := range srv.sessions {
		all = append(all, s)
	}
	srv.mu.Unlock()
	// Concurrently: each close handshake may wait up to 5 s for its peer.
	var wg sync.WaitGroup
	for _, s := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.end(ErrServerClosed)
		}()
	}
	wg.Wait()
	if srv.stopMoves != nil {
		srv.stopMoves()
	}
	srv.wg.Wait()
	return nil
}

// goTracked runs fn in a goroutine Close waits for; false if the server
// is closed (fn does not run).
func (srv *Server) goTracked(fn func()) bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.closed {
		return false
	}
	srv.wg.Add(1)
	go func() {
		defer srv.wg.Done()
		fn()
	}()
	return true
}

func (srv *Server) unregister(s *Session) {
	srv.mu.Lock()
	if srv.sessions[s.id] == s {
		delete(srv.sessions, s.id)
	}
	srv.mu.Unlock()
}

// startHandler runs the handler for s; its return closes s with 1000
// (1011 after a panic, which is recovered: one handler's bug does not end
// the process).
func (srv *Server) startHandler(s *Session) bool {
	return srv.goTracked(func() {
		code, reason := sdk.StatusNormalClosure, ""
		defer func() {
			if recover() != nil {
				code, reason = sdk.StatusInternalError, "handler panicked"
			}
			_ = s.Close(code, reason)
		}()
		srv.handler(s.ctx, s)
	})
}

func newID() (resumewire.SessionID, error) {
	var id resumewire.SessionID
	_, err := rand.Read(id[:])
	return id, err
}
