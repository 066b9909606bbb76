package testserver

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"

	"github.com/redial-ws/redial/internal/faults"
	"github.com/redial-ws/redial/internal/wsaccept"
	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
)

// resumeEcho is the /resume/echo endpoint: a server.New handler (resume
// protocol, docs/resume.md; a plain client is served too) that echoes
// every message of its session, behind the same hooks as every other
// endpoint, so /drop, /stop and /stallall reach its connections (not
// /closeall: the server package owns the websocket.Conn and its close). Sessions
// outlive a /stop: a stopped port is a network outage, not a restart.
// Text messages "<prefix><n>" are checked per session and prefix: n must
// be the next (0, 1, 2…), so the app on the server's end counts what it
// got (ResumeStats).
type resumeEcho struct {
	srv atomic.Pointer[server.Server] // replaced by RestartResume

	mu    sync.Mutex
	stats ResumeStats
}

// ResumeStats is what /resume/echo's handlers counted since Start or Reset.
type ResumeStats struct {
	Sessions   int    // handlers started (one per session)
	Got        int    // messages read
	Violations int    // numbered messages out of order, duplicated or skipped
	First      string // the first violation, described
}

func newResumeEcho() *resumeEcho {
	e := &resumeEcho{}
	e.srv.Store(e.newServer())
	return e
}

func (e *resumeEcho) newServer() *server.Server {
	return server.New(&server.Options{
		// Any origin: wasm and JS tests run on pages served from elsewhere.
		AcceptOptions: &websocket.AcceptOptions{OriginPatterns: []string{"*"}},
		// The same limit as every other endpoint (the package default is 32 KiB):
		// the browser benchmark echoes 64 KiB messages through here.
		ReadLimit: readLimit,
	}, e.handle)
}

// RestartResume replaces /resume/echo's server with a new one, as a server
// process restarted without its session store: the old one closes its
// connections with 1012, and a client that resumes gets 4504 (session lost).
func (s *Server) RestartResume() {
	old := s.resume.srv.Swap(s.resume.newServer())
	_ = old.Close()
}

func (e *resumeEcho) handle(ctx context.Context, s *server.Session) {
	e.mu.Lock()
	e.stats.Sessions++
	e.mu.Unlock()
	next := map[string]int{}
	for {
		typ, p, err := s.Read(ctx)
		if err != nil {
			return
		}
		e.check(next, typ, p)
		if s.Write(ctx, typ, p) != nil {
			return
		}
	}
}

// check counts p and, for a numbered text message, its place.
func (e *resumeEcho) check(next map[string]int, typ sdk.MessageType, p []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stats.Got++
	if typ != sdk.MessageText {
		return
	}
	msg := string(p)
	i := strings.LastIndexFunc(msg, func(r rune) bool { return r < '0' || r > '9' }) + 1
	n, err := strconv.Atoi(msg[i:])
	if err != nil {
		return
	}
	prefix := msg[:i]
	if n != next[prefix] {
		e.stats.Violations++
		if e.stats.First == "" {
			e.stats.First = "got " + strconv.Quote(msg) + ", want " + prefix + strconv.Itoa(next[prefix])
		}
	}
	next[prefix] = n + 1
}

// ResumeStats returns what /resume/echo counted since Start or Reset.
func (s *Server) ResumeStats() ResumeStats {
	s.resume.mu.Lock()
	defer s.resume.mu.Unlock()
	return s.resume.stats
}

func (s *Server) resetResume() {
	s.resume.mu.Lock()
	s.resume.stats = ResumeStats{}
	s.resume.mu.Unlock()
}

// handleResume serves /resume/echo through the server package, with the
// connection registered and its socket captured as for every endpoint.
func (s *Server) handleResume(w http.ResponseWriter, r *http.Request) {
	lc := s.newLiveConn(true, r.URL.Path)
	defer s.finish(lc)
	s.noteUpgrade(r, wsaccept.Accept(r.Header.Get("Sec-WebSocket-Key")))
	uw := &faults.Hook{
		ResponseWriter: w,
		OnHeader: func(code int, _ http.Header) {
			if code == http.StatusSwitchingProtocols {
				s.register(lc, r)
			}
		},
		OnHijack: func(so *faults.Socket) {
			lc.SetSocket(so)
			lc.MarkReady() // the server package owns the websocket.Conn: Conn() stays nil
		},
	}
	s.resume.srv.Load().ServeHTTP(uw, r)
}

// StallAll stalls every live WebSocket's socket: TCP stays up and nothing
// moves either way (a half-open path), until the connection is cut.
func (s *Server) StallAll() {
	for _, lc := range s.conns.List(isWS) {
		if so := lc.Socket(); so != nil {
			so.Stall()
		}
	}
}
