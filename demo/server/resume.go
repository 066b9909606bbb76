package main

// The ticker through redial's resume server half (package server,
// docs/resume.md): a client that opens /ws/ticker?redial-resume=1 gets the
// same global ticks, but through a server.Session that outlives its
// connections, so every tick from the session's start arrives exactly
// once, in order, whatever happens to the TCP connection.

import (
	"context"
	"fmt"
	"net/http"

	"github.com/coder/websocket"

	"github.com/redial-ws/redial/internal/faults"
	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
)

// newResumeServer is the resume half serving the ticker. Sessions live in
// process memory for server.Options' default SessionTTL (2 min): /api/cut,
// /api/close and /api/restart (a restart window, not a new process) leave
// them in place, so a resume client picks its session up where it was.
func (s *Server) newResumeServer() *server.Server {
	return server.New(&server.Options{
		AcceptOptions: &websocket.AcceptOptions{Subprotocols: subprotocols, OriginPatterns: originPatterns},
	}, s.resumeTicker)
}

// isResume reports whether r is a resume client's upgrade on the ticker
// (the client adds ?redial-resume=1 itself).
func isResume(kind string, r *http.Request) bool {
	return kind == "ticker" && r.URL.Query().Get(server.QueryParam) == "1"
}

// resumeTicker runs once per session: it writes every tick from the
// session's start, in order, none skipped. Session.Write keeps what the
// client has not acknowledged and replays it after a reconnect; while the
// client is away it buffers (up to server.Options.MaxUnacked, 1024 ticks,
// then it waits: the ticks are still all written, later).
func (s *Server) resumeTicker(ctx context.Context, ss *server.Session) {
	next, _ := s.currentTick()
	next++
	for {
		n, changed := s.currentTick()
		for ; next <= n; next++ {
			if ss.Write(ctx, sdk.MessageText, fmt.Appendf(nil, `{"tick":%d}`, next)) != nil {
				return
			}
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return
		case <-s.ctx.Done():
			return
		}
	}
}

// serveResume hands the upgrade to the resume server, with the socket
// captured (hw.OnHijack) so /api/cut, /api/stall and /api/close reach it
// like any other connection. The server package owns the websocket.Conn,
// so e.Conn() stays nil and a close code is sent by closeWith. It returns
// when the connection is gone; the session lives on.
func (s *Server) serveResume(hw *faults.Hook, r *http.Request, e *wsConn, registered *bool) {
	hw.OnHijack = func(so *faults.Socket) {
		e.SetSocket(so)
		e.MarkReady()
		if !*registered { // the server is shutting down
			_ = so.Close()
		}
	}
	s.resume.ServeHTTP(hw, r)
}

// closeWith closes e with code and reason: a close handshake on a plain
// connection; on a resume connection a close frame written onto the
// socket, which is then dropped, so the session (which any close frame
// FROM the client would end) survives for the client's reconnect.
func (e *wsConn) closeWith(code websocket.StatusCode, reason string) {
	if !e.resume {
		e.CloseHandshake(code, reason)
		return
	}
	if so := e.Socket(); so != nil {
		_ = so.CloseFrame(uint16(code), reason)
	}
}
