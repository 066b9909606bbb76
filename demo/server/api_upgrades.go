package main

// The control API's faults on upgrades still to come: /api/refuse and
// /api/restart, and /api/heal which undoes them (and lifts stalls).

import (
	"net/http"
	"slices"
	"time"
)

const (
	defaultDownSecs = 3.0
	maxDownSecs     = 300.0
	maxRefuseCount  = 1000
)

// refusal is a pending /api/refuse: the next count upgrades of the target
// get status (with Retry-After when set).
type refusal struct {
	all        bool
	client     string
	status     int
	retryAfter string // seconds, verbatim; "" for none
	remaining  int
}

func (s *Server) apiRefuse(r *http.Request) (any, error) {
	t, err := targetOf(r)
	if err != nil {
		return nil, err
	}
	if t.kind != "" {
		return nil, badRequest("refuse applies to every endpoint; drop endpoint=")
	}
	status, err := intParam(r, "status", http.StatusServiceUnavailable, 400, 599)
	if err != nil {
		return nil, err
	}
	count, err := intParam(r, "count", 1, 1, maxRefuseCount)
	if err != nil {
		return nil, err
	}
	retryAfter := r.FormValue("retryAfter")
	if retryAfter != "" {
		if _, err := intParam(r, "retryAfter", 0, 0, 86400); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	s.refusals = append(s.refusals, &refusal{all: t.all, client: t.client, status: status, retryAfter: retryAfter, remaining: count})
	s.mu.Unlock()
	s.logf("refuse next %d upgrade(s) of %s with %d (Retry-After %q)", count, t, status, retryAfter)
	res := result("refuse", t, 0)
	res.Status, res.RetryAfter, res.Count = status, retryAfter, count
	return res, nil
}

// takeRefusal uses up one refusal that applies to client, oldest first.
func (s *Server) takeRefusal(client string) (refusal, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, ref := range s.refusals {
		if ref.all || ref.client == client {
			ref.remaining--
			if ref.remaining <= 0 {
				s.refusals = slices.Delete(s.refusals, i, i+1)
			}
			return *ref, true
		}
	}
	return refusal{}, false
}

// apiRestart simulates a server restart without taking the page down.
//
// Closing the real listener would also take down the page and this API,
// which share the port (one origin keeps the page simple: no CORS, no
// second port to open in a firewall). So "restart" is done at the
// WebSocket endpoints instead: for down seconds, every upgrade on /ws/* is
// answered by hijacking the TCP connection and closing it at once (RST),
// which a browser reports exactly like a server that is not listening
// (error, then close 1006) and a native client sees as a failed dial; and
// the live WebSocket connections are cut (no close frame), as a crash
// would. The HTTP page and /api/* keep working throughout.
func (s *Server) apiRestart(r *http.Request) (any, error) {
	t, err := targetOf(r)
	if err != nil {
		return nil, err
	}
	if t.kind != "" {
		return nil, badRequest("restart applies to every endpoint; drop endpoint=")
	}
	secs, err := floatParam(r, "down", defaultDownSecs, 0, maxDownSecs)
	if err != nil {
		return nil, err
	}
	d := time.Duration(secs * float64(time.Second))
	until := s.cfg.Now().Add(d)
	key := t.client
	if t.all {
		key = allClients
	}
	s.mu.Lock()
	s.downUntil[key] = until
	s.mu.Unlock()
	victims := s.targets(t)
	for _, e := range victims {
		<-e.Ready()
		e.Cut()
	}
	s.logf("restart → %s: down %s, %d connection(s) cut", t, d, len(victims))
	res := result("restart", t, len(victims))
	res.DownMs = d.Milliseconds()
	u := until.UTC().Format(time.RFC3339Nano)
	res.Until = &u
	return res, nil
}

// isDown reports whether a restart window covers client now.
func (s *Server) isDown(client string) bool {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	return now.Before(s.downUntil[allClients]) || now.Before(s.downUntil[client])
}

// apiHeal undoes what is pending: refusals, restart windows and stalls.
func (s *Server) apiHeal(r *http.Request) (any, error) {
	t, err := targetOf(r)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.refusals = slices.DeleteFunc(s.refusals, func(ref *refusal) bool { return t.all || (!ref.all && ref.client == t.client) })
	if t.all {
		clear(s.downUntil)
	} else {
		delete(s.downUntil, t.client)
	}
	s.mu.Unlock()
	n := 0
	for _, e := range s.targets(t) {
		if g := e.Socket(); g != nil && g.Stalled() {
			g.Lift(0)
			n++
		}
	}
	s.logf("heal → %s: %d stall(s) lifted", t, n)
	return result("heal", t, n), nil
}
