package testserver

import (
	"encoding/binary"
	"net/http"

	"github.com/coder/websocket"

	"github.com/redial-ws/redial/internal/faults"
)

// handleCutMessage (/cutmsg?n=N&announce=A&k=K): on the first K connections
// to the path (default 1), writes a text frame header announcing A bytes
// (default 60,000; 16-bit length, so A ≤ 65535) and then N of them (default
// 0), and ends the TCP stream with a FIN: a message cut short with no close
// frame. Later connections echo. A client must deliver nothing from the
// cut connection (issue 8 §1).
func (s *Server) handleCutMessage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	n, ok := intArg(w, "n", q.Get("n"), 0, 0)
	if !ok {
		return
	}
	announce, ok := intArg(w, "announce", q.Get("announce"), 60000, 126)
	if !ok || announce > 0xFFFF || n >= announce {
		if ok {
			http.Error(w, "need n < announce ≤ 65535", http.StatusBadRequest)
		}
		return
	}
	k, ok := intArg(w, "k", q.Get("k"), 1, 0)
	if !ok {
		return
	}
	s.serveWS(w, r, protocols, func(lc *liveConn, c *websocket.Conn) {
		if !s.takeFirst(r.URL.Path, k) {
			s.echo(lc, c)
			return
		}
		tc := lc.Socket().TCP()
		if tc == nil {
			return
		}
		b := binary.BigEndian.AppendUint16([]byte{0x81, 126}, uint16(announce))
		b = append(b, make([]byte, n)...)
		for i := range b[4:] {
			b[4+i] = 'a' + byte(i%26)
		}
		if _, err := tc.Write(b); err != nil {
			return
		}
		// A FIN, not an RST: the client closes first, so no unread data
		// turns our close into an RST.
		faults.FIN(tc, tc)
	})
}
