package testserver

import (
	"net/http"

	"github.com/coder/websocket"

	"github.com/redial-ws/redial/internal/faults"
	"github.com/redial-ws/redial/internal/wsaccept"
)

// serveWS upgrades r with the given subprotocols and, if that succeeded and
// the server is still listening, runs fn until it returns; then the
// connection is closed and unregistered.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request, protos []string, fn func(lc *liveConn, c *websocket.Conn)) {
	lc := s.newLiveConn(true, r.URL.Path)
	defer s.finish(lc)

	seq := s.noteUpgrade(r, wsaccept.Accept(r.Header.Get("Sec-WebSocket-Key")))
	registered := false
	uw := &faults.Hook{
		ResponseWriter: w,
		// Register before the 101 is committed: a client that sees its
		// handshake complete finds itself counted already.
		OnHeader: func(code int, _ http.Header) {
			if code == http.StatusSwitchingProtocols {
				registered = s.register(lc, r)
			}
		},
		OnHijack: lc.SetSocket,
	}
	c, err := websocket.Accept(uw, r, &websocket.AcceptOptions{
		// Any origin: wasm and JS tests run on pages served from elsewhere.
		OriginPatterns: []string{"*"},
		Subprotocols:   protos,
	})
	if err != nil {
		s.forgetAccept(seq)
		return
	}
	lc.SetConn(c)
	if !registered {
		return // raced with Stop/Close: the listener is gone, so is this conn
	}
	fn(lc, c)
}
