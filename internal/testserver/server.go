// Package testserver is a real loopback WebSocket server used by every test
// of the SDK (native Go, Go compiled to wasm in a browser, and JS in Node) to
// produce genuine faults: refused connects, dropped TCP, close frames,
// unanswered pings, bad handshakes and HTTP error statuses. Nothing is mocked.
//
// It listens on two ports: the WebSocket port, which Stop/Restart can take
// down and bring back on the same port number, and a control port that always
// stays up so out-of-process tests can drive the faults over plain HTTP.
//
// Non-test files must not import "testing": cmd/testserver links this package.
package testserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"

	"github.com/redial-ws/redial/internal/faults"
)

// Server is a running test server. Create it with Start and release it with
// Close. All methods are safe for concurrent use.
type Server struct {
	// ctx is the parent of every request and connection context; Close
	// cancels it so that nothing the server started can outlive Close.
	ctx    context.Context
	cancel context.CancelFunc

	wsAddr  string // fixed 127.0.0.1:PORT so Restart comes back on the same port
	ctrl    *http.Server
	ctrlURL string

	// lifeMu serialises Stop, Restart and Close so two restarts never race
	// for the same port. It is never held while waiting on s.wg.
	lifeMu sync.Mutex

	closeOnce sync.Once

	// conns counts live connections and every goroutine the server starts
	// (serve loops, handlers, delayed restarts) so Close can wait for all
	// of them; after Close it refuses new ones.
	conns *faults.Registry[*liveConn]

	resume *resumeEcho // /resume/echo (resume.go)

	mu        sync.Mutex
	ws        *http.Server // nil while stopped
	accepted  int
	firsts    map[string]int // per-endpoint counters for /closefirst and /statusfirst
	received  map[string][]string
	last      Upgrade
	lastSeq   uint64
	changed   chan struct{} // closed and replaced on every observable change
	ctrlWaits int           // control /wait* requests in progress, for tests
}

// restartBindTimeout bounds how long Restart retries binding the old port.
// Go sets SO_REUSEADDR, so this only matters if another process grabbed it.
const restartBindTimeout = 3 * time.Second

// Start listens on two ephemeral loopback ports and starts serving.
func Start() (*Server, error) {
	wsLn, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("testserver: listen ws: %w", err)
	}
	ctrlLn, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		_ = wsLn.Close()
		return nil, fmt.Errorf("testserver: listen control: %w", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		ctx:      ctx,
		cancel:   cancel,
		wsAddr:   wsLn.Addr().String(),
		ctrlURL:  "http://" + ctrlLn.Addr().String(),
		conns:    faults.NewRegistry[*liveConn]("testserver closed"),
		firsts:   make(map[string]int),
		received: make(map[string][]string),
		changed:  make(chan struct{}),
		resume:   newResumeEcho(),
	}
	s.ctrl = s.newHTTPServer(s.controlHandler())

	s.mu.Lock()
	s.serve(s.ctrl, ctrlLn)
	s.ws = s.newHTTPServer(s.wsHandler())
	s.serve(s.ws, wsLn)
	s.mu.Unlock()
	return s, nil
}

// newHTTPServer builds an http.Server whose requests derive from s.ctx and
// whose handlers are counted in s.conns.
func (s *Server) newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           s.conns.Track(h),
		BaseContext:       func(net.Listener) context.Context { return s.ctx },
		ReadHeaderTimeout: 10 * time.Second,
		// Faults make net/http log hijack and reset noise that is expected here.
		ErrorLog: log.New(io.Discard, "", 0),
	}
}

// serve runs srv on ln in a goroutine counted by s.conns, and reports
// false (closing ln) once the server is closed.
func (s *Server) serve(srv *http.Server, ln net.Listener) bool {
	ok := s.conns.Go(func() {
		_ = srv.Serve(ln) // returns ErrServerClosed after Stop/Close
	})
	if !ok {
		_ = ln.Close()
	}
	return ok
}

// URL returns "ws://127.0.0.1:PORT" + path on the faultable listener.
func (s *Server) URL(path string) string { return "ws://" + s.wsAddr + path }

// ControlURL returns "http://127.0.0.1:CPORT" of the always-up control listener.
func (s *Server) ControlURL() string { return s.ctrlURL }

// Stop closes the WebSocket listener, so connects are refused, and cuts every
// live connection without a close frame. It returns once they are gone.
func (s *Server) Stop() {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()

	s.mu.Lock()
	srv := s.ws
	s.ws = nil // handshakes still in flight on srv are refused by register
	s.mu.Unlock()
	victims := s.conns.List(nil)

	if srv != nil {
		// Closes the listener and any plain HTTP connection (e.g. a
		// keep-alive after /status); hijacked ones are ours to cut.
		_ = srv.Close()
	}
	cutAll(victims)
}

// Restart listens again on the same port after Stop. It is a no-op if the
// server is already listening.
func (s *Server) Restart() error {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()

	s.mu.Lock()
	running := s.ws != nil
	s.mu.Unlock()
	if s.conns.IsShut() {
		return errors.New("testserver: restart after Close")
	}
	if running {
		return nil
	}

	ln, err := s.relisten()
	if err != nil {
		return err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	srv := s.newHTTPServer(s.wsHandler())
	if !s.serve(srv, ln) { // Close ran while we were binding
		return errors.New("testserver: restart after Close")
	}
	s.ws = srv
	return nil
}

// relisten binds s.wsAddr, retrying briefly on EADDRINUSE.
func (s *Server) relisten() (net.Listener, error) {
	deadline := time.Now().Add(restartBindTimeout)
	for {
		ln, err := net.Listen("tcp4", s.wsAddr)
		if err == nil {
			return ln, nil
		}
		if !errors.Is(err, syscall.EADDRINUSE) || time.Now().After(deadline) {
			return nil, fmt.Errorf("testserver: restart on %s: %w", s.wsAddr, err)
		}
		select {
		case <-time.After(10 * time.Millisecond):
		case <-s.ctx.Done():
			return nil, fmt.Errorf("testserver: restart on %s: %w", s.wsAddr, s.ctx.Err())
		}
	}
}

// Close stops both listeners, cuts every connection and waits for every
// goroutine the server started. It is idempotent.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.conns.Shut() // from here handlers, register and goBackground refuse
		s.cancel()
		_ = s.ctrl.Close()
		s.Stop()
		_ = s.resume.srv.Load().Close()
		s.conns.Wait()
	})
}

// goBackground runs fn in a goroutine that Close waits for; it does nothing
// once the server is closed. fn must return promptly when s.ctx is done.
func (s *Server) goBackground(fn func()) { s.conns.Go(fn) }
