package main

// The control API's plumbing: routing, JSON answers, the target and
// numeric parameters every call shares, and the Result of a fault call.

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
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
