package main

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/redial-ws/redial/internal/faults"
	"github.com/redial-ws/redial/server"
)

// Config is what a Server needs; zero fields mean the defaults.
type Config struct {
	WebDir  string        // the page; "" serves a placeholder
	DistDir string        // the browser shim (dist/), served at /dist/
	Tick    time.Duration // ticker period; default 100 ms
	// Now reads the clock for /api/restart windows; nil means time.Now.
	// Tests move it to end a window without waiting.
	Now func() time.Time
	// Logf, when set, gets one line per fault applied.
	Logf func(format string, args ...any)
}

// closeGrace bounds the close handshakes at shutdown before the remaining
// connections are cut, so SIGINT ends the demo well within 2 s.
const closeGrace = time.Second

// Server is the demo: the page, the WebSocket endpoints and the control API.
type Server struct {
	cfg    Config
	ctx    context.Context // ends with Close: bounds every goroutine started
	cancel context.CancelFunc
	// conns holds the live connections and counts every goroutine and
	// WebSocket handler the Server started; Close shuts it.
	conns *faults.Registry[*wsConn]
	// resume serves /ws/ticker?redial-resume=1 (resume.go).
	resume *server.Server

	mu          sync.Mutex
	nextID      uint64
	tick        uint64
	tickChanged chan struct{}        // closed and replaced on every tick
	refusals    []*refusal           // in the order they were asked for
	downUntil   map[string]time.Time // restart windows: client → end; key allClients for all
	handshakes  map[string]*Handshake
	lastAny     *Handshake
}

// allClients keys a fault that applies to every client (control call
// without ?client=). Not a valid client id from a URL: those are strings
// and this is a key no query can produce.
const allClients = "\x00all"

// NewServer starts the ticker; Close stops everything it started.
func NewServer(cfg Config) *Server {
	if cfg.Tick <= 0 {
		cfg.Tick = 100 * time.Millisecond
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg:         cfg,
		ctx:         ctx,
		cancel:      cancel,
		conns:       faults.NewRegistry[*wsConn]("demo server shutting down"),
		tickChanged: make(chan struct{}),
		downUntil:   make(map[string]time.Time),
		handshakes:  make(map[string]*Handshake),
	}
	s.resume = s.newResumeServer()
	s.conns.Go(s.runTicker)
	return s
}

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}

// Handler routes everything the demo serves.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, kind := range []string{"echo", "ticker", "chat"} {
		mux.Handle("/ws/"+kind, s.conns.Track(s.serveWS(kind)))
	}
	s.routeAPI(mux)
	mux.Handle("/dist/", noCache(http.StripPrefix("/dist/", staticDir(s.cfg.DistDir, "dist"))))
	mux.Handle("/", noCache(staticDir(s.cfg.WebDir, "page")))
	return mux
}

// Close says 1001 going away to every connection (for at most closeGrace),
// cuts what is left, and waits for every goroutine the Server started.
func (s *Server) Close() {
	if s.conns.IsShut() {
		return
	}
	var closing sync.WaitGroup
	for _, e := range s.conns.List(nil) {
		// A stalled connection is lifted first, or it could not say goodbye.
		closing.Go(func() { e.closeWith(websocket.StatusGoingAway, "demo server shutting down") })
	}
	done := make(chan struct{})
	go func() { closing.Wait(); close(done) }()
	t := time.NewTimer(closeGrace)
	select {
	case <-done:
	case <-t.C:
	}
	t.Stop()

	victims := s.conns.Shut() // from here handlers, register and Go refuse
	s.cancel()
	for _, e := range victims {
		e.Cut() // unblocks any close handshake still waiting
	}
	<-done
	s.conns.Wait()
	_ = s.resume.Close() // ends the sessions and waits for their handlers
}
