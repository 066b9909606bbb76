package testserver

import (
	"bufio"
	"net"
	"net/http"

	"github.com/coder/websocket"
)

// upgradeWriter sits between websocket.Accept and net/http to learn two
// things Accept does not expose: the moment the 101 is committed (to register
// the connection before the client can see it) and the raw hijacked socket
// (so a cut is immediate no matter what the library is doing).
type upgradeWriter struct {
	http.ResponseWriter
	onSwitch func()
	onHijack func(net.Conn)
}

func (w *upgradeWriter) WriteHeader(code int) {
	if code == http.StatusSwitchingProtocols {
		w.onSwitch()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *upgradeWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.onHijack(c)
	}
	return c, brw, err
}

// serveWS upgrades r with the given subprotocols and, if that succeeded and
// the server is still listening, runs fn until it returns; then the
// connection is closed and unregistered.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request, protos []string, fn func(lc *liveConn, c *websocket.Conn)) {
	lc := s.newLiveConn(true, r.URL.Path)
	defer s.finish(lc)

	seq := s.noteUpgrade(r, acceptFor(r.Header.Get("Sec-WebSocket-Key")))
	registered := false
	uw := &upgradeWriter{
		ResponseWriter: w,
		onSwitch:       func() { registered = s.register(lc, r) },
		onHijack:       lc.setRaw,
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
	lc.setConn(c)
	if !registered {
		return // raced with Stop/Close: the listener is gone, so is this conn
	}
	fn(lc, c)
}
