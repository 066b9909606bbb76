package testserver

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/coder/websocket"

	"github.com/redial-ws/redial/internal/faults"
)

// liveConn is one hijacked connection the server must be able to cut: a
// WebSocket, or a raw socket held by /badaccept (ws == false, not in Live).
type liveConn struct {
	*faults.Live
	ws   bool
	path string
	done chan struct{} // closed after the handler unregistered it
}

func (s *Server) newLiveConn(ws bool, path string) *liveConn {
	return &liveConn{Live: faults.NewLive(s.ctx), ws: ws, path: path, done: make(chan struct{})}
}

func isWS(lc *liveConn) bool { return lc.ws }

// register makes lc visible to Live/Drop/Stop. It runs before the 101 (or any
// /badaccept byte) is written, so a client that sees its handshake complete
// can rely on Accepted and Live already counting it. It refuses handshakes
// that belong to a listener Stop has already closed.
func (s *Server) register(lc *liveConn, r *http.Request) bool {
	srv, _ := r.Context().Value(http.ServerContextKey).(*http.Server)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ws == nil || s.ws != srv || !s.conns.Add(lc) {
		return false
	}
	if lc.ws {
		s.accepted++
	}
	s.notifyLocked()
	return true
}

// finish is deferred by every handler that created lc: it closes whatever is
// left, unregisters lc and wakes Drop/Stop waiters.
func (s *Server) finish(lc *liveConn) {
	lc.Release()
	if s.conns.Remove(lc) {
		s.mu.Lock()
		s.notifyLocked()
		s.mu.Unlock()
	}
	close(lc.done)
}

// cutAll cuts every conn and waits until their handlers have unregistered,
// so that callers observe Live() without the victims on return.
func cutAll(victims []*liveConn) {
	for _, lc := range victims {
		lc.Cut()
	}
	for _, lc := range victims {
		<-lc.done
	}
}

// Drop cuts every live WebSocket connection with no close frame, as if the
// network vanished. It returns once their handlers have finished.
func (s *Server) Drop() { cutAll(s.conns.List(isWS)) }

// CloseAll runs the close handshake with code and reason on every live
// WebSocket connection, concurrently, and returns once all have finished.
// A peer that never answers delays this by the library's 5s handshake timeout.
func (s *Server) CloseAll(code websocket.StatusCode, reason string) {
	var wg sync.WaitGroup
	for _, lc := range s.conns.List(isWS) {
		wg.Go(func() {
			// A conn registered at its 101 gets its *Conn a moment later.
			lc.CloseHandshake(code, reason)
			// Handlers such as /stall only wait on ctx; release them.
			lc.Cancel()
			<-lc.done
		})
	}
	wg.Wait()
}

// Live returns the number of live WebSocket connections.
func (s *Server) Live() int { return s.conns.Count(isWS) }

// Accepted returns the number of successful upgrades since Start or Reset.
func (s *Server) Accepted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted
}

// WaitLive blocks until Live() == n or ctx is done.
func (s *Server) WaitLive(ctx context.Context, n int) error {
	return s.waitFor(ctx, func() (bool, string) {
		live := s.conns.Count(isWS)
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
