package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/coder/websocket"
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

const (
	defaultStallMs  = 30000
	maxStallMs      = 10 * 60 * 1000
	defaultDownSecs = 3.0
	maxDownSecs     = 300.0
	maxRefuseCount  = 1000
	maxCloseReason  = 123 // RFC 6455: a close frame's reason is at most 123 bytes
)

// apiError is a bad request, answered 400 with {"ok":false,"error":...}.
type apiError struct{ msg string }

func (e *apiError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &apiError{fmt.Sprintf(format, args...)}
}

func (s *Server) routeAPI(mux *http.ServeMux) {
	handle := func(path string, fn func(r *http.Request) (any, error)) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("Access-Control-Allow-Origin", "*")
			switch r.Method {
			case http.MethodOptions:
				w.Header().Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
				w.Header().Set("Access-Control-Allow-Headers", "*")
				w.WriteHeader(http.StatusNoContent)
				return
			case http.MethodGet, http.MethodPost:
			default:
				writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"ok": false, "error": "use GET or POST"})
				return
			}
			if err := r.ParseForm(); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": err.Error()})
				return
			}
			v, err := fn(r)
			var ae *apiError
			switch {
			case errors.As(err, &ae):
				writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": ae.msg})
			case err != nil:
				writeJSON(w, http.StatusNotFound, map[string]any{"ok": false, "error": err.Error()})
			default:
				writeJSON(w, http.StatusOK, v)
			}
		})
	}
	handle("/api/close", s.apiClose)
	handle("/api/cut", s.apiCut)
	handle("/api/stall", s.apiStall)
	handle("/api/refuse", s.apiRefuse)
	handle("/api/restart", s.apiRestart)
	handle("/api/heal", s.apiHeal)
	handle("/api/handshake", s.apiHandshake)
	handle("/api/state", s.apiState)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// targetOf reads ?client= (absent: every client) and ?endpoint=.
func targetOf(r *http.Request) (target, error) {
	var t target
	if v, ok := r.Form["client"]; ok {
		t.client = v[0]
	} else {
		t.all = true
	}
	switch k := r.FormValue("endpoint"); k {
	case "", "echo", "ticker", "chat":
		t.kind = k
	default:
		return t, badRequest("endpoint=%q: want echo, ticker or chat (or none for all)", k)
	}
	return t, nil
}

// Result is the answer of every fault call.
type Result struct {
	OK       bool   `json:"ok"`
	Action   string `json:"action"`
	Client   string `json:"client,omitempty"` // absent: applied to all clients
	All      bool   `json:"all"`
	Endpoint string `json:"endpoint,omitempty"`
	Affected int    `json:"affected"` // connections it acted on now

	Code       int     `json:"code,omitempty"`       // close
	Reason     string  `json:"reason,omitempty"`     // close
	Ms         *int    `json:"ms,omitempty"`         // stall (0: lifted)
	Status     int     `json:"status,omitempty"`     // refuse
	RetryAfter string  `json:"retryAfter,omitempty"` // refuse
	Count      int     `json:"count,omitempty"`      // refuse
	DownMs     int64   `json:"downMs,omitempty"`     // restart
	Until      *string `json:"until,omitempty"`      // restart (RFC 3339)
}

func result(action string, t target, affected int) *Result {
	return &Result{OK: true, Action: action, Client: t.client, All: t.all, Endpoint: t.kind, Affected: affected}
}

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
		s.goTracked(func() {
			if g := e.socket(); g != nil {
				g.lift(0) // a stalled connection could not send it
			}
			if c := e.conn(); c != nil {
				_ = c.Close(websocket.StatusCode(code), reason)
			}
		})
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
		<-e.ready
		e.cut()
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
		g := e.socket()
		if g == nil {
			continue
		}
		if ms == 0 {
			g.lift(0)
			continue
		}
		gen := g.stall()
		s.goTracked(func() {
			timer := time.NewTimer(time.Duration(ms) * time.Millisecond)
			defer timer.Stop()
			select {
			case <-timer.C:
				g.lift(gen)
			case <-e.ctx.Done():
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
		<-e.ready
		e.cut()
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
		if g := e.socket(); g != nil && g.isStalled() {
			g.lift(0)
			n++
		}
	}
	s.logf("heal → %s: %d stall(s) lifted", t, n)
	return result("heal", t, n), nil
}

func (s *Server) apiHandshake(r *http.Request) (any, error) {
	t, err := targetOf(r)
	if err != nil {
		return nil, err
	}
	h := s.handshakeFor(t.client, t.all)
	if h == nil {
		if t.all {
			return nil, errors.New("no WebSocket upgrade seen yet")
		}
		return nil, fmt.Errorf("no WebSocket upgrade seen yet for client %q", t.client)
	}
	return h, nil
}

// State is what /api/state answers.
type State struct {
	Tick       uint64                  `json:"tick"`
	TickMs     int64                   `json:"tickMs"`
	Total      int                     `json:"total"`
	Clients    map[string]*ClientState `json:"clients"`
	Restarting []RestartState          `json:"restarting"`
	Refusals   []RefusalState          `json:"refusals"`
}

// ClientState counts one client's live connections by endpoint.
type ClientState struct {
	Echo    int `json:"echo"`
	Ticker  int `json:"ticker"`
	Chat    int `json:"chat"`
	Stalled int `json:"stalled"`
}

// RestartState is a restart window still running.
type RestartState struct {
	All         bool   `json:"all"`
	Client      string `json:"client,omitempty"`
	RemainingMs int64  `json:"remainingMs"`
}

// RefusalState is a pending refusal.
type RefusalState struct {
	All        bool   `json:"all"`
	Client     string `json:"client,omitempty"`
	Status     int    `json:"status"`
	RetryAfter string `json:"retryAfter,omitempty"`
	Remaining  int    `json:"remaining"`
}

func (s *Server) apiState(*http.Request) (any, error) {
	return s.state(), nil
}

func (s *Server) state() *State {
	now := s.cfg.Now()
	s.mu.Lock()
	conns := make([]*wsConn, 0, len(s.conns))
	for e := range s.conns {
		conns = append(conns, e)
	}
	st := &State{
		Tick:       s.tick,
		TickMs:     s.cfg.Tick.Milliseconds(),
		Total:      len(conns),
		Clients:    map[string]*ClientState{},
		Restarting: []RestartState{},
		Refusals:   []RefusalState{},
	}
	for k, until := range s.downUntil {
		if left := until.Sub(now); left > 0 {
			rs := RestartState{All: k == allClients, RemainingMs: int64(math.Ceil(float64(left) / float64(time.Millisecond)))}
			if !rs.All {
				rs.Client = k
			}
			st.Restarting = append(st.Restarting, rs)
		}
	}
	for _, ref := range s.refusals {
		st.Refusals = append(st.Refusals, RefusalState{All: ref.all, Client: ref.client, Status: ref.status, RetryAfter: ref.retryAfter, Remaining: ref.remaining})
	}
	s.mu.Unlock()
	slices.SortFunc(st.Restarting, func(a, b RestartState) int {
		if a.All != b.All {
			if a.All {
				return -1
			}
			return 1
		}
		if a.Client < b.Client {
			return -1
		}
		if a.Client > b.Client {
			return 1
		}
		return 0
	})
	for _, e := range conns {
		cs := st.Clients[e.client]
		if cs == nil {
			cs = &ClientState{}
			st.Clients[e.client] = cs
		}
		switch e.kind {
		case "echo":
			cs.Echo++
		case "ticker":
			cs.Ticker++
		case "chat":
			cs.Chat++
		}
		if e.stalled() {
			cs.Stalled++
		}
	}
	return st
}

func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	v := r.FormValue(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, badRequest("%s=%q: want an integer from %d to %d", name, v, lo, hi)
	}
	return n, nil
}

func floatParam(r *http.Request, name string, def, lo, hi float64) (float64, error) {
	v := r.FormValue(name)
	if v == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || f < lo || f > hi {
		return 0, badRequest("%s=%q: want a number of seconds from %g to %g", name, v, lo, hi)
	}
	return f, nil
}
