package testserver

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/redial-ws/redial/internal/faults"
)

// Upgrade describes the last WebSocket upgrade request the server saw, so
// tests can check exactly what the client put on the wire. It is served as
// JSON (Go field names) by the control endpoint /lastupgrade.
type Upgrade struct {
	Method, Path, Upgrade, Connection, Key, Version string
	Protocols                                       []string // Sec-WebSocket-Protocol tokens, in order
	Accept                                          string   // Sec-WebSocket-Accept the server sent ("" if none)
	Header                                          map[string][]string
	RawQuery                                        string // the URL query as sent, e.g. to check a token parameter
}

// offeredProtocols returns the client's Sec-WebSocket-Protocol tokens in
// order; never nil so that JSON shows [] rather than null.
func offeredProtocols(r *http.Request) []string {
	protos := []string{}
	for _, v := range r.Header.Values("Sec-WebSocket-Protocol") {
		for p := range strings.SplitSeq(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				protos = append(protos, p)
			}
		}
	}
	return protos
}

// selectProtocol picks as websocket.Accept does: the first of the server's
// protocols that the client offered.
func selectProtocol(offered, server []string) string {
	for _, sp := range server {
		for _, cp := range offered {
			if strings.EqualFold(sp, cp) {
				return cp
			}
		}
	}
	return ""
}

// noteUpgrade records r as the last upgrade with the accept value about to
// be sent. It runs before the response is written so that LastUpgrade is
// already correct when the client's handshake returns. It returns 0 for
// non-upgrade requests, else a sequence number for forgetAccept.
func (s *Server) noteUpgrade(r *http.Request, accept string) uint64 {
	if !faults.IsUpgrade(r) {
		return 0
	}
	u := Upgrade{
		Method:     r.Method,
		Path:       r.URL.Path,
		Upgrade:    r.Header.Get("Upgrade"),
		Connection: r.Header.Get("Connection"),
		Key:        r.Header.Get("Sec-WebSocket-Key"),
		Version:    r.Header.Get("Sec-WebSocket-Version"),
		Protocols:  offeredProtocols(r),
		Accept:     accept,
		Header:     r.Header.Clone(),
		RawQuery:   r.URL.RawQuery,
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastSeq++
	s.last = u
	s.notifyLocked()
	return s.lastSeq
}

// forgetAccept clears the recorded accept value when the handshake failed
// before any 101 went out (e.g. a malformed request).
func (s *Server) forgetAccept(seq uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq != 0 && seq == s.lastSeq {
		s.last.Accept = ""
	}
}

// LastUpgrade returns a copy of the last upgrade request seen.
func (s *Server) LastUpgrade() Upgrade {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.last
	u.Protocols = slices.Clone(u.Protocols)
	u.Header = make(map[string][]string, len(s.last.Header))
	for k, v := range s.last.Header {
		u.Header[k] = slices.Clone(v)
	}
	if u.Protocols == nil {
		u.Protocols = []string{} // JSON [] rather than null for JS callers
	}
	return u
}

// record appends a received text message for path.
func (s *Server) record(path, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.received[path] = append(s.received[path], msg)
	s.notifyLocked()
}

// Received returns every text message received on path, in arrival order,
// across all connections since Start or Reset. Never nil.
func (s *Server) Received(path string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.received[path])
	if out == nil {
		out = []string{}
	}
	return out
}

// WaitReceived blocks until at least n text messages were received on path.
func (s *Server) WaitReceived(ctx context.Context, path string, n int) error {
	return s.waitFor(ctx, func() (bool, string) {
		got := len(s.received[path])
		return got >= n, fmt.Sprintf("%d messages on %s (now %d)", n, path, got)
	})
}

// Reset forgets what was observed so a server shared by many tests (as with
// the browser and Node suites) looks fresh: received messages, the last
// upgrade, the Accepted counter and the /closefirst and /statusfirst counters.
// Live connections are left alone.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.received)
	clear(s.firsts)
	s.last = Upgrade{}
	s.accepted = 0
	s.notifyLocked()
	s.resetResume()
}

// takeFirst counts one more hit on key and reports whether it is among the
// first n since Start or Reset.
func (s *Server) takeFirst(key string, n int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.firsts[key]++
	return s.firsts[key] <= n
}
