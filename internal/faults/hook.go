package faults

import (
	"bufio"
	"net"
	"net/http"
	"strings"
)

// Hook sits between websocket.Accept and net/http to learn what Accept
// does not expose: the status and headers it actually writes (OnHeader
// runs just before they go out, so a connection can be registered before
// the client can see its 101, and a handshake report shows the real
// Sec-WebSocket-Accept), and the hijacked socket, wrapped in a Socket
// (OnHijack) so a cut is immediate and a stall possible whatever the
// library is doing. Either callback may be nil.
type Hook struct {
	http.ResponseWriter
	OnHeader func(code int, h http.Header)
	OnHijack func(s *Socket)
}

// WriteHeader reports code and the headers, then writes them.
func (w *Hook) WriteHeader(code int) {
	if w.OnHeader != nil {
		w.OnHeader(code, w.Header())
	}
	w.ResponseWriter.WriteHeader(code)
}

// Hijack takes the connection over from net/http as a Socket.
func (w *Hook) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	s, brw, err := Hijack(w.ResponseWriter)
	if err != nil {
		return nil, nil, err
	}
	if w.OnHijack != nil {
		w.OnHijack(s)
	}
	return s, brw, nil
}

// Hijack takes the connection of w over from net/http, wrapped in a
// Socket. coder/websocket reads from the returned conn (after what
// net/http buffered) but writes through brw.Writer, which net/http points
// at the raw socket: it is pointed at the Socket here (it is empty right
// after the hijack), so a stall holds writes too.
func Hijack(w http.ResponseWriter) (*Socket, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, nil, err
	}
	s := NewSocket(c)
	brw.Writer.Reset(s)
	return s, brw, nil
}

// ResetUpgrade answers a request by dropping its TCP connection at once,
// with an RST where the platform allows: to a browser it looks like a
// server that is not there (error, then close 1006), to a native client
// like a failed dial.
func ResetUpgrade(w http.ResponseWriter) {
	c, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	RST(c)
}

// IsUpgrade reports whether r asks for a WebSocket upgrade: a
// "websocket" token in any Upgrade header (RFC 6455 §4.2.1 item 3,
// compared case-insensitively as RFC 9110 §7.8 says).
func IsUpgrade(r *http.Request) bool {
	for _, v := range r.Header.Values("Upgrade") {
		for tok := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(tok), "websocket") {
				return true
			}
		}
	}
	return false
}
