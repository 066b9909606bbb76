package testserver

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/coder/websocket"

	"github.com/redial-ws/redial/internal/faults"
	"github.com/redial-ws/redial/internal/wsaccept"
)

// protocols are offered by every endpoint except /noproto, in the server's
// order of preference.
var protocols = []string{"redial.v1", "chat"}

// readLimit is raised from the library's 32 KiB so large-message tests echo.
const readLimit = 16 << 20

// wsHandler routes the faultable listener. Each endpoint is one fault.
func (s *Server) wsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		s.serveWS(w, r, protocols, s.echo)
	})
	mux.HandleFunc("/noproto", func(w http.ResponseWriter, r *http.Request) {
		s.serveWS(w, r, nil, s.echo)
	})
	mux.HandleFunc("/close", s.handleClose)
	mux.HandleFunc("/closefirst", s.handleCloseFirst)
	mux.HandleFunc("/closeafter", s.handleCloseAfterN)
	mux.HandleFunc("/cut", s.handleCut)
	mux.HandleFunc("/cutmsg", s.handleCutMessage)
	mux.HandleFunc("/stall", func(w http.ResponseWriter, r *http.Request) {
		s.serveWS(w, r, protocols, func(lc *liveConn, _ *websocket.Conn) {
			<-lc.Context().Done() // never read: pings go unanswered (half-open)
		})
	})
	mux.HandleFunc("/status", s.handleStatus)
	mux.HandleFunc("/statusfirst", s.handleStatusFirst)
	mux.HandleFunc("/badaccept", s.handleBadAccept)
	mux.HandleFunc("/header", s.handleHeader)
	mux.HandleFunc("/ticker", s.handleTicker)
	mux.HandleFunc("/resume/echo", s.handleResume)
	return mux
}

// echo records and echoes every message with its type until the conn ends.
func (s *Server) echo(lc *liveConn, c *websocket.Conn) {
	c.SetReadLimit(readLimit)
	for {
		typ, b, err := c.Read(lc.Context())
		if err != nil {
			return
		}
		if typ == websocket.MessageText {
			s.record(lc.path, string(b))
		}
		if err := c.Write(lc.Context(), typ, b); err != nil {
			return
		}
	}
}

// withReader runs fn while a background reader records text messages and,
// just as important, answers pings and close frames. readDone closes when
// the peer goes away. Afterwards the conn is closed and the reader awaited.
func (s *Server) withReader(lc *liveConn, c *websocket.Conn, fn func(readDone <-chan struct{})) {
	c.SetReadLimit(readLimit)
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		for {
			typ, b, err := c.Read(lc.Context())
			if err != nil {
				return
			}
			if typ == websocket.MessageText {
				s.record(lc.path, string(b))
			}
		}
	}()
	fn(readDone)
	_ = c.CloseNow()
	<-readDone
}

// sleep waits d and reports true, or false if ctx or stop ended first.
func sleep(ctx context.Context, stop <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-stop:
		return false
	}
}

// closeAfter waits after, then runs the close handshake with code/reason.
// code 1005 sends a close frame with no status at all; a code that may not
// go on the wire (1006, 1015, ...) or a reason over 123 bytes makes the
// library fail the handshake and drop the connection without a frame.
func (s *Server) closeAfter(lc *liveConn, c *websocket.Conn, after time.Duration, code int, reason string) {
	s.withReader(lc, c, func(readDone <-chan struct{}) {
		if sleep(lc.Context(), readDone, after) {
			_ = c.Close(websocket.StatusCode(code), reason)
		}
	})
}

func (s *Server) handleClose(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	code, reason, ok := closeParams(w, q)
	if !ok {
		return
	}
	after, ok := intArg(w, "after", q.Get("after"), 0, 0)
	if !ok {
		return
	}
	s.serveWS(w, r, protocols, func(lc *liveConn, c *websocket.Conn) {
		s.closeAfter(lc, c, ms(after), code, reason)
	})
}

func (s *Server) handleCloseFirst(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	code, reason, ok := closeParams(w, q)
	if !ok {
		return
	}
	n, ok := intArg(w, "n", q.Get("n"), 1, 0)
	if !ok {
		return
	}
	s.serveWS(w, r, protocols, func(lc *liveConn, c *websocket.Conn) {
		// Counted on upgrade, so only real connections use up the quota.
		if s.takeFirst(r.URL.Path, n) {
			s.closeAfter(lc, c, 0, code, reason)
			return
		}
		s.echo(lc, c)
	})
}

func (s *Server) handleCut(w http.ResponseWriter, r *http.Request) {
	after, ok := intArg(w, "after", r.URL.Query().Get("after"), 0, 0)
	if !ok {
		return
	}
	s.serveWS(w, r, protocols, func(lc *liveConn, c *websocket.Conn) {
		s.withReader(lc, c, func(readDone <-chan struct{}) {
			if sleep(lc.Context(), readDone, ms(after)) {
				lc.Cut() // TCP close, no close frame
			}
		})
	})
}

// statusParams parses code (default 503) and retryAfter for /status*.
func statusParams(w http.ResponseWriter, q url.Values) (code int, retryAfter string, ok bool) {
	code, ok = intArg(w, "code", q.Get("code"), http.StatusServiceUnavailable, 200)
	if ok && code > 999 { // WriteHeader panics outside 100..999
		http.Error(w, "code must be 200..999", http.StatusBadRequest)
		ok = false
	}
	return code, q.Get("retryAfter"), ok
}

// writeStatus refuses the upgrade with an HTTP status and a verbatim
// Retry-After, as a rate limiter or overloaded proxy would.
func (s *Server) writeStatus(w http.ResponseWriter, r *http.Request, code int, retryAfter string) {
	s.noteUpgrade(r, "")
	// Keep-alive is pointless after a refused upgrade, and a pooled idle
	// connection in the client's transport would show up as a goroutine
	// leak in the caller's goleak check.
	w.Header().Set("Connection", "close")
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	http.Error(w, http.StatusText(code), code)
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	code, retryAfter, ok := statusParams(w, r.URL.Query())
	if !ok {
		return
	}
	s.writeStatus(w, r, code, retryAfter)
}

func (s *Server) handleStatusFirst(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	code, retryAfter, ok := statusParams(w, q)
	if !ok {
		return
	}
	n, ok := intArg(w, "n", q.Get("n"), 1, 0)
	if !ok {
		return
	}
	if s.takeFirst(r.URL.Path, n) {
		s.writeStatus(w, r, code, retryAfter)
		return
	}
	s.serveWS(w, r, protocols, s.echo)
}

// handleBadAccept answers a well-formed 101 whose Sec-WebSocket-Accept is
// wrong, which a correct client must reject, then closes the socket. Holding
// it open instead would only stall clients that drain the response (coder's
// Dial waits 3s for a body) without exposing anything more.
func (s *Server) handleBadAccept(w http.ResponseWriter, r *http.Request) {
	lc := s.newLiveConn(false, r.URL.Path)
	defer s.finish(lc)
	if !s.register(lc, r) {
		http.Error(w, "stopped", http.StatusServiceUnavailable)
		return
	}
	// The accept of a different key: valid base64 of the right length, so
	// only the comparison with the expected value can catch it.
	bad := wsaccept.Accept(r.Header.Get("Sec-WebSocket-Key") + "x")
	s.noteUpgrade(r, bad)
	raw, _, err := faults.Hijack(w)
	if err != nil {
		return
	}
	lc.SetSocket(raw)
	resp := "HTTP/1.1 101 Switching Protocols\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + bad + "\r\n"
	// Agree to a subprotocol as /echo would: Chromium fails a handshake that
	// offered protocols and got none back, which would mask the bad accept.
	if p := selectProtocol(offeredProtocols(r), protocols); p != "" {
		resp += "Sec-WebSocket-Protocol: " + p + "\r\n"
	}
	resp += "\r\n"
	_, _ = io.WriteString(raw, resp) // finish closes raw with a FIN
}

func (s *Server) handleHeader(w http.ResponseWriter, r *http.Request) {
	msg := fmt.Sprintf("auth=%s token=%s", r.Header.Get("Authorization"), r.URL.Query().Get("token"))
	s.serveWS(w, r, protocols, func(lc *liveConn, c *websocket.Conn) {
		if err := c.Write(lc.Context(), websocket.MessageText, []byte(msg)); err != nil {
			return
		}
		s.echo(lc, c)
	})
}

// handleTicker sends "1", "2", … every ms milliseconds. n > 0 stops after
// n messages (the connection stays open, silent) and records "sent n" under
// its path, as if received, so a test can wait until all are written (see
// WaitReceived). deaf=1 never reads: the
// data flows but pings and close frames go unanswered, as from a peer whose
// app does not read.
func (s *Server) handleTicker(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	every, ok := intArg(w, "ms", q.Get("ms"), 100, 1)
	if !ok {
		return
	}
	n, ok := intArg(w, "n", q.Get("n"), 0, 0)
	if !ok {
		return
	}
	deaf, ok := intArg(w, "deaf", q.Get("deaf"), 0, 0)
	if !ok {
		return
	}
	s.serveWS(w, r, protocols, func(lc *liveConn, c *websocket.Conn) {
		tick := func(readDone <-chan struct{}) {
			t := time.NewTicker(ms(every))
			defer t.Stop()
			for i := 1; n == 0 || i <= n; i++ {
				select {
				case <-t.C:
				case <-readDone:
					return
				case <-lc.Context().Done():
					return
				}
				if err := c.Write(lc.Context(), websocket.MessageText, []byte(strconv.Itoa(i))); err != nil {
					return
				}
			}
			s.record(lc.path, "sent "+strconv.Itoa(n))
			select { // sent all: stay open, silent
			case <-readDone:
			case <-lc.Context().Done():
			}
		}
		if deaf != 0 {
			tick(nil) // a nil readDone never fires
			return
		}
		s.withReader(lc, c, tick)
	})
}

// closeParams parses code (default 1000) and reason for /close*.
func closeParams(w http.ResponseWriter, q url.Values) (code int, reason string, ok bool) {
	code, ok = intArg(w, "code", q.Get("code"), int(websocket.StatusNormalClosure), 0)
	if ok && code > 65535 {
		http.Error(w, "code must fit in 16 bits", http.StatusBadRequest)
		ok = false
	}
	return code, q.Get("reason"), ok
}

// intArg parses an optional integer argument v (named name) that must be
// >= lo, answering 400 when it is malformed, before any upgrade happens.
func intArg(w http.ResponseWriter, name, v string, def, lo int) (int, bool) {
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo {
		http.Error(w, fmt.Sprintf("bad %s=%q: want an integer >= %d", name, v, lo), http.StatusBadRequest)
		return 0, false
	}
	return n, true
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }
