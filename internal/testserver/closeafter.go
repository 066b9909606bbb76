package testserver

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/coder/websocket"
)

// handleCloseAfterN sends the text messages "1" … "n" as fast as it can
// (each padded with dots to size bytes, if size is larger), then runs the close handshake with code and reason, while a background
// reader takes (and, for text, records) what the client sends. A client
// that floods writes meanwhile races its writer's failure against its
// reader's view of the close frame: the close must win, with every message
// before it (issue 8 §2).
func (s *Server) handleCloseAfterN(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	code, reason, ok := closeParams(w, q)
	if !ok {
		return
	}
	n, ok := intArg(w, "n", q.Get("n"), 100, 0)
	if !ok {
		return
	}
	size, ok := intArg(w, "size", q.Get("size"), 0, 0)
	if !ok {
		return
	}
	s.serveWS(w, r, protocols, func(lc *liveConn, c *websocket.Conn) {
		s.withReader(lc, c, func(<-chan struct{}) {
			for i := 1; i <= n; i++ {
				m := []byte(strconv.Itoa(i))
				if len(m) < size {
					m = append(m, bytes.Repeat([]byte("."), size-len(m))...)
				}
				if c.Write(lc.Context(), websocket.MessageText, m) != nil {
					return
				}
			}
			_ = c.Close(websocket.StatusCode(code), reason)
		})
	})
}
