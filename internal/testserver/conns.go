package testserver

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"

	"github.com/coder/websocket"
)

// liveConn is one hijacked connection the server must be able to cut: a
// WebSocket, or a raw socket held by /badaccept (ws == false, not in Live).
type liveConn struct {
	ws   bool
	path string

	// ctx bounds every read, write and wait of the handler; cut cancels it.
	ctx    context.Context
	cancel context.CancelFunc

	ready     chan struct{} // closed once conn is set (or the handler gave up)
	readyOnce sync.Once
	done      chan struct{} // closed after the handler unregistered it

	mu   sync.Mutex
	raw  net.Conn        // the hijacked socket; closing it unblocks everything
	conn *websocket.Conn // nil until Accept returns
	dead bool            // cut was called; late raw/conn are closed on arrival
}

func (s *Server) newLiveConn(ws bool, path string) *liveConn {
	ctx, cancel := context.WithCancel(s.ctx)
	return &liveConn{
		ws:     ws,
		path:   path,
		ctx:    ctx,
		cancel: cancel,
		ready:  make(chan struct{}),
		done:   make(chan struct{}),
	}
}

func (lc *liveConn) setRaw(raw net.Conn) {
	lc.mu.Lock()
	lc.raw = raw
	dead := lc.dead
	lc.mu.Unlock()
	if dead {
		_ = raw.Close()
	}
}

func (lc *liveConn) setConn(c *websocket.Conn) {
	lc.mu.Lock()
	lc.conn = c
	dead := lc.dead
	lc.mu.Unlock()
	lc.readyOnce.Do(func() { close(lc.ready) })
	if dead {
		_ = c.CloseNow()
	}
}

// cut drops the socket without a close frame. Closing the raw socket rather
// than only calling CloseNow matters: CloseNow is a no-op on the wire while
// another goroutine is inside Close's handshake, and a cut must be immediate.
// The handler's deferred CloseNow then releases the library's state.
func (lc *liveConn) cut() {
	lc.mu.Lock()
	lc.dead = true
	raw := lc.raw
	lc.mu.Unlock()
	lc.cancel()
	if raw != nil {
		_ = raw.Close()
	}
}

// register makes lc visible to Live/Drop/Stop. It runs before the 101 (or any
// /badaccept byte) is written, so a client that sees its handshake complete
// can rely on Accepted and Live already counting it. It refuses handshakes
// that belong to a listener Stop has already closed.
func (s *Server) register(lc *liveConn, r *http.Request) bool {
	srv, _ := r.Context().Value(http.ServerContextKey).(*http.Server)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.ws == nil || s.ws != srv {
		return false
	}
	s.conns[lc] = struct{}{}
	if lc.ws {
		s.accepted++
	}
	s.notifyLocked()
	return true
}

// finish is deferred by every handler that created lc: it closes whatever is
// left, unregisters lc and wakes Drop/Stop waiters.
func (s *Server) finish(lc *liveConn) {
	lc.mu.Lock()
	c, raw := lc.conn, lc.raw
	lc.mu.Unlock()
	if c != nil {
		_ = c.CloseNow()
	}
	if raw != nil {
		_ = raw.Close()
	}
	lc.cancel()
	lc.readyOnce.Do(func() { close(lc.ready) })

	s.mu.Lock()
	if _, ok := s.conns[lc]; ok {
		delete(s.conns, lc)
		s.notifyLocked()
	}
	s.mu.Unlock()
	close(lc.done)
}

func (s *Server) snapshotLocked(wsOnly bool) []*liveConn {
	out := make([]*liveConn, 0, len(s.conns))
	for lc := range s.conns {
		if lc.ws || !wsOnly {
			out = append(out, lc)
		}
	}
	return out
}

// cutAll cuts every conn and waits until their handlers have unregistered,
// so that callers observe Live() without the victims on return.
func cutAll(victims []*liveConn) {
	for _, lc := range victims {
		lc.cut()
	}
	for _, lc := range victims {
		<-lc.done
	}
}

// Drop cuts every live WebSocket connection with no close frame, as if the
// network vanished. It returns once their handlers have finished.
func (s *Server) Drop() {
	s.mu.Lock()
	victims := s.snapshotLocked(true)
	s.mu.Unlock()
	cutAll(victims)
}

// CloseAll runs the close handshake with code and reason on every live
// WebSocket connection, concurrently, and returns once all have finished.
// A peer that never answers delays this by the library's 5s handshake timeout.
func (s *Server) CloseAll(code websocket.StatusCode, reason string) {
	s.mu.Lock()
	victims := s.snapshotLocked(true)
	s.mu.Unlock()

	var wg sync.WaitGroup
	for _, lc := range victims {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A conn registered at its 101 gets its *Conn a moment later.
			select {
			case <-lc.ready:
			case <-lc.done:
			}
			lc.mu.Lock()
			c := lc.conn
			lc.mu.Unlock()
			if c != nil {
				_ = c.Close(code, reason)
			}
			// Handlers such as /stall only wait on ctx; release them.
			lc.cancel()
			<-lc.done
		}()
	}
	wg.Wait()
}

// Live returns the number of live WebSocket connections.
func (s *Server) Live() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.liveLocked()
}

func (s *Server) liveLocked() int {
	n := 0
	for lc := range s.conns {
		if lc.ws {
			n++
		}
	}
	return n
}

// Accepted returns the number of successful upgrades since Start or Reset.
func (s *Server) Accepted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted
}

// WaitLive blocks until Live() == n or ctx is done.
func (s *Server) WaitLive(ctx context.Context, n int) error {
	return s.waitFor(ctx, func() (bool, string) {
		live := s.liveLocked()
		return live == n, fmt.Sprintf("live == %d (now %d)", n, live)
	})
}

// WaitAccepted blocks until Accepted() >= n or ctx is done.
func (s *Server) WaitAccepted(ctx context.Context, n int) error {
	return s.waitFor(ctx, func() (bool, string) {
		return s.accepted >= n, fmt.Sprintf("accepted >= %d (now %d)", n, s.accepted)
	})
}

// notifyLocked wakes every waitFor. Closing a channel is a broadcast that,
// unlike sync.Cond, composes with ctx in a select.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitFor re-evaluates cond (called with s.mu held) on every change.
func (s *Server) waitFor(ctx context.Context, cond func() (bool, string)) error {
	for {
		s.mu.Lock()
		ok, what := cond()
		ch := s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("testserver: waiting for %s: %w", what, ctx.Err())
		}
	}
}
