package server

import (
	"encoding/hex"

	"github.com/redial-ws/redial/internal/resumewire"
)

// watchMoves subscribes to the Store's move notices, if it has them.
func (srv *Server) watchMoves() {
	if n, ok := srv.opts.Store.(MoveNotifier); ok {
		srv.stopMoves = n.NotifyMoves(srv.moved)
	}
}

// moved ends this node's copy of session id if another node claimed it
// (a newer epoch). It does not block the notifier: the end (which may
// wait for a stalled writer) runs in a tracked goroutine.
func (srv *Server) moved(id string, epoch uint64) {
	var sid resumewire.SessionID
	if hex.DecodedLen(len(id)) != len(sid) {
		return
	}
	if _, err := hex.Decode(sid[:], []byte(id)); err != nil {
		return
	}
	srv.mu.Lock()
	s := srv.sessions[sid]
	srv.mu.Unlock()
	if s == nil || s.plain || s.epoch >= epoch {
		return
	}
	srv.goTracked(func() { s.end(ErrSessionMoved) })
}
