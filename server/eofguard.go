package server

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
)

// errStreamEnded replaces io.EOF from a hijacked connection: the client's
// TCP stream ended before a close frame.
//
// Why: coder/websocket v1.8.15 hands a message cut short by the end of
// the stream to the reader as if it were whole (msgReader.Read maps any
// wrapped io.EOF to the end of the message; sdk/eofguard_native.go has
// the details). In resume mode that would deliver a truncated DATA frame
// as a complete message. Turning EOF into another error makes the cut a
// failed read, so the frame is replayed whole after the reconnect.
var errStreamEnded = errors.New("redial/server: client ended the TCP stream before a close frame (unexpected EOF)")

// guardEOF wraps w so that the connection coder/websocket hijacks reports
// errStreamEnded instead of io.EOF.
func guardEOF(w http.ResponseWriter) http.ResponseWriter {
	if _, ok := w.(http.Hijacker); !ok {
		return w
	}
	return &hijackGuard{ResponseWriter: w}
}

type hijackGuard struct{ http.ResponseWriter }

func (h *hijackGuard) Unwrap() http.ResponseWriter { return h.ResponseWriter }

// Hijack returns the connection wrapped. coder/websocket itself chains
// the bytes the server already buffered in front of it (accept.go:168).
func (h *hijackGuard) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := h.ResponseWriter.(http.Hijacker).Hijack()
	if err != nil {
		return nil, nil, err
	}
	return eofConn{c}, brw, nil
}

type eofConn struct{ net.Conn }

func (g eofConn) Read(p []byte) (int, error) {
	n, err := g.Conn.Read(p)
	if errors.Is(err, io.EOF) {
		err = errStreamEnded
	}
	return n, err
}
