package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
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

// Subprotocols the WebSocket endpoints agree to, in preference order; a
// client that offers none of them gets no subprotocol (which is fine).
var subprotocols = []string{"chat", "redial.v1"}

// originPatterns: the page may be served from any loopback port (another
// dev server, say): those origins are allowed, others get 403.
var originPatterns = []string{"localhost", "localhost:*", "127.0.0.1", "127.0.0.1:*", "[::1]", "[::1]:*"}

// readLimit for messages from clients.
const readLimit = 1 << 20

// closeGrace bounds the close handshakes at shutdown before the remaining
// connections are cut, so SIGINT ends the demo well within 2 s.
const closeGrace = time.Second

// Server is the demo: the page, the WebSocket endpoints and the control API.
type Server struct {
	cfg    Config
	ctx    context.Context // ends with Close: bounds every goroutine started
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu          sync.Mutex
	closed      bool
	nextID      uint64
	conns       map[*wsConn]struct{}
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
		conns:       make(map[*wsConn]struct{}),
		tickChanged: make(chan struct{}),
		downUntil:   make(map[string]time.Time),
		handshakes:  make(map[string]*Handshake),
	}
	s.wg.Go(s.runTicker)
	return s
}

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}

// goTracked runs fn in a goroutine Close waits for; not after Close.
func (s *Server) goTracked(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.wg.Go(fn)
}

// Handler routes everything the demo serves.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, kind := range []string{"echo", "ticker", "chat"} {
		mux.HandleFunc("/ws/"+kind, s.track(s.serveWS(kind)))
	}
	s.routeAPI(mux)
	mux.Handle("/dist/", noCache(http.StripPrefix("/dist/", staticDir(s.cfg.DistDir, "dist"))))
	mux.Handle("/", noCache(staticDir(s.cfg.WebDir, "page")))
	return mux
}

// staticDir serves dir, or explains that it is missing.
func staticDir(dir, what string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if st, err := os.Stat(dir); dir == "" || err != nil || !st.IsDir() {
			if r.URL.Path == "/" && what == "page" {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprintf(w, placeholderPage, dir)
				return
			}
			http.Error(w, fmt.Sprintf("the demo's %s directory %q does not exist (see -web and -dist)", what, dir), http.StatusNotFound)
			return
		}
		files.ServeHTTP(w, r)
	})
}

const placeholderPage = `<!doctype html><meta charset="utf-8"><title>redial demo</title>
<h1>redial demo server</h1>
<p>The page directory <code>%s</code> does not exist yet: pass <code>-web DIR</code>.
The WebSocket endpoints (<code>/ws/echo</code>, <code>/ws/ticker</code>, <code>/ws/chat</code>)
and the control API (<code>/api/state</code>, ...) work already.</p>`

// noCache: the demo is for editing and reloading.
func noCache(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		h.ServeHTTP(w, r)
	})
}

// serveWS answers an upgrade on /ws/<kind> — or, if a fault says so,
// resets it (/api/restart) or refuses it with an HTTP status (/api/refuse).
func (s *Server) serveWS(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		client := r.URL.Query().Get("client")
		if !isUpgrade(r) {
			// Not a WebSocket: let Accept answer 426 with the reason.
			_, _ = websocket.Accept(w, r, nil)
			return
		}
		hs := newHandshake(r, client, kind, s.cfg.Now())
		if s.isDown(client) {
			hs.Outcome = "reset"
			s.saveHandshake(hs)
			resetConn(w)
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

		e := s.newConn(client, kind)
		defer e.cancel()
		registered := false
		hw := &hookWriter{
			ResponseWriter: w,
			onHeader: func(code int, h http.Header) {
				hs.Outcome = "upgraded"
				if code != http.StatusSwitchingProtocols {
					hs.Outcome = "rejected"
				}
				hs.setResponse(code, h)
				s.saveHandshake(hs)
				if code == http.StatusSwitchingProtocols {
					// Before the 101 is written: a client that sees its
					// connection open finds it in /api/state already.
					registered = s.register(e)
				}
			},
			onHijack: e.setGate,
		}
		c, err := websocket.Accept(hw, r, &websocket.AcceptOptions{
			Subprotocols:   subprotocols,
			OriginPatterns: originPatterns,
		})
		if err != nil {
			e.markReady()
			if registered {
				s.unregister(e)
			}
			return
		}
		e.setConn(c)
		defer s.unregister(e)
		defer c.CloseNow()
		if !registered { // the server is shutting down
			return
		}
		s.serveConn(e, c)
	}
}

func (s *Server) newConn(client, kind string) *wsConn {
	ctx, cancel := context.WithCancel(s.ctx)
	s.mu.Lock()
	s.nextID++
	id := s.nextID
	s.mu.Unlock()
	return &wsConn{
		id: id, client: client, kind: kind,
		ctx: ctx, cancel: cancel,
		send:  make(chan outMsg, sendBuffer),
		ready: make(chan struct{}),
	}
}

func (s *Server) register(e *wsConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[e] = struct{}{}
	return true
}

func (s *Server) unregister(e *wsConn) {
	e.markReady()
	s.mu.Lock()
	delete(s.conns, e)
	s.mu.Unlock()
}

// serveConn runs one connection: a reader goroutine (which also answers
// pings and the close handshake) and the writer, here, until either ends.
func (s *Server) serveConn(e *wsConn, c *websocket.Conn) {
	c.SetReadLimit(readLimit)
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		defer e.cancel()
		for {
			typ, p, err := c.Read(e.ctx)
			if err != nil {
				return
			}
			switch e.kind {
			case "echo":
				select {
				case e.send <- outMsg{typ, p}: // an echo is never dropped
				case <-e.ctx.Done():
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
			if err := c.Write(e.ctx, m.typ, m.p); err != nil {
				e.cancel()
				<-readDone
				return
			}
		case <-e.ctx.Done():
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

// target selects connections for a fault.
type target struct {
	all    bool   // every client (no ?client= on the control call)
	client string // else this client only
	kind   string // "" for every endpoint
}

func (t target) String() string {
	var b strings.Builder
	if t.all {
		b.WriteString("all clients")
	} else {
		fmt.Fprintf(&b, "client %q", t.client)
	}
	if t.kind != "" {
		b.WriteString(" on /ws/" + t.kind)
	}
	return b.String()
}

func (t target) matches(e *wsConn) bool {
	return (t.all || e.client == t.client) && (t.kind == "" || e.kind == t.kind)
}

func (s *Server) targets(t target) []*wsConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*wsConn
	for e := range s.conns {
		if t.matches(e) {
			out = append(out, e)
		}
	}
	return out
}

// Close says 1001 going away to every connection (for at most closeGrace),
// cuts what is left, and waits for every goroutine the Server started.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	victims := make([]*wsConn, 0, len(s.conns))
	for e := range s.conns {
		victims = append(victims, e)
	}
	s.mu.Unlock()

	var closing sync.WaitGroup
	for _, e := range victims {
		closing.Go(func() {
			if g := e.socket(); g != nil {
				g.lift(0) // a stalled connection could not say goodbye
			}
			if c := e.conn(); c != nil {
				_ = c.Close(websocket.StatusGoingAway, "demo server shutting down")
			}
		})
	}
	done := make(chan struct{})
	go func() { closing.Wait(); close(done) }()
	t := time.NewTimer(closeGrace)
	select {
	case <-done:
	case <-t.C:
	}
	t.Stop()

	s.mu.Lock()
	s.closed = true // from here track, register and goTracked refuse
	victims = victims[:0]
	for e := range s.conns {
		victims = append(victims, e)
	}
	s.mu.Unlock()
	s.cancel()
	for _, e := range victims {
		e.cut() // unblocks any close handshake still waiting
	}
	<-done
	s.wg.Wait()
}

// track counts a WebSocket handler in s.wg: net/http forgets hijacked
// connections, so without this Close could return while handlers run.
func (s *Server) track(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			http.Error(w, "demo server shutting down", http.StatusServiceUnavailable)
			return
		}
		s.wg.Add(1)
		s.mu.Unlock()
		defer s.wg.Done()
		h(w, r)
	}
}
