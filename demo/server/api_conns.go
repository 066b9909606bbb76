package main

// The control API's faults on live connections: /api/close, /api/cut,
// /api/stall. They act through the connections' faults.Live.

import (
	"net/http"
	"time"

	"github.com/coder/websocket"
)

const (
	defaultStallMs = 30000
	maxStallMs     = 10 * 60 * 1000
	maxCloseReason = 123 // RFC 6455: a close frame's reason is at most 123 bytes
)

func (s *Server) apiClose(r *http.Request) (any, error) {
	t, err := targetOf(r)
	if err != nil {
		return nil, err
	}
	code, err := intParam(r, "code", 1000, 1000, 4999)
	if err != nil {
		return nil, err
	}
	if !sendableCode(code) {
		return nil, badRequest("code=%d cannot be sent in a close frame; use 1000–1003, 1007–1014 or 3000–4999", code)
	}
	reason := r.FormValue("reason")
	if len(reason) > maxCloseReason {
		return nil, badRequest("reason is %d bytes; a close frame allows %d", len(reason), maxCloseReason)
	}
	victims := s.targets(t)
	for _, e := range victims {
		// The close handshake waits for the client's answer (up to 5 s in
		// coder/websocket): do it in the background.
		// A stalled connection is lifted first, or it could not send it.
		s.conns.Go(func() { e.closeWith(websocket.StatusCode(code), reason) })
	}
	s.logf("close %d %q → %s: %d connection(s)", code, reason, t, len(victims))
	res := result("close", t, len(victims))
	res.Code, res.Reason = code, reason
	return res, nil
}

func sendableCode(c int) bool {
	return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999)
}

func (s *Server) apiCut(r *http.Request) (any, error) {
	t, err := targetOf(r)
	if err != nil {
		return nil, err
	}
	victims := s.targets(t)
	for _, e := range victims {
		<-e.Ready()
		e.Cut()
	}
	s.logf("cut → %s: %d connection(s)", t, len(victims))
	return result("cut", t, len(victims)), nil
}

func (s *Server) apiStall(r *http.Request) (any, error) {
	t, err := targetOf(r)
	if err != nil {
		return nil, err
	}
	ms, err := intParam(r, "ms", defaultStallMs, 0, maxStallMs)
	if err != nil {
		return nil, err
	}
	victims := s.targets(t)
	for _, e := range victims {
		g := e.Socket()
		if g == nil {
			continue
		}
		if ms == 0 {
			g.Lift(0)
			continue
		}
		gen := g.Stall()
		s.conns.Go(func() {
			timer := time.NewTimer(time.Duration(ms) * time.Millisecond)
			defer timer.Stop()
			select {
			case <-timer.C:
				g.Lift(gen)
			case <-e.Context().Done():
			}
		})
	}
	if ms == 0 {
		s.logf("stall lifted → %s: %d connection(s)", t, len(victims))
	} else {
		s.logf("stall %d ms → %s: %d connection(s)", ms, t, len(victims))
	}
	res := result("stall", t, len(victims))
	res.Ms = &ms
	return res, nil
}
