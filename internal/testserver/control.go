package testserver

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/coder/websocket"
)

// controlHandler serves the HTTP API through which wasm tests in a browser
// and JS tests in Node drive faults. It lives on its own listener so that it
// keeps answering while the WebSocket port is stopped. Parameters come from
// the query string or a form body; GET and POST are both accepted so a
// browser can use fetch without caring about the method.
func (s *Server) controlHandler() http.Handler {
	mux := http.NewServeMux()
	handle := func(path string, fn func() error) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			if err := fn(); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			writeOK(w)
		})
	}
	handle("/drop", func() error { s.Drop(); return nil })
	handle("/stop", func() error { s.Stop(); return nil })
	handle("/restart", s.Restart)
	handle("/reset", func() error { s.Reset(); return nil })
	handle("/stallall", func() error { s.StallAll(); return nil })
	handle("/resume/restart", func() error { s.RestartResume(); return nil })

	mux.HandleFunc("/closeall", func(w http.ResponseWriter, r *http.Request) {
		code, ok := intArg(w, "code", r.FormValue("code"), int(websocket.StatusNormalClosure), 0)
		if !ok {
			return
		}
		s.CloseAll(websocket.StatusCode(code), r.FormValue("reason"))
		writeOK(w)
	})
	mux.HandleFunc("/stopfor", func(w http.ResponseWriter, r *http.Request) {
		d, ok := intArg(w, "ms", r.FormValue("ms"), 1000, 0)
		if !ok {
			return
		}
		// Stop synchronously so the caller knows the port is down when the
		// response arrives; only the restart is deferred.
		s.Stop()
		s.goBackground(func() {
			if sleep(s.ctx, nil, ms(d)) {
				_ = s.Restart() // only fails if Close won the race
			}
		})
		writeOK(w)
	})
	mux.HandleFunc("/live", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.Live()) })
	mux.HandleFunc("/accepted", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.Accepted()) })
	mux.HandleFunc("/resumestats", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.ResumeStats()) })
	mux.HandleFunc("/lastupgrade", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.LastUpgrade()) })
	mux.HandleFunc("/received", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, s.Received(r.FormValue("path")))
	})

	// Blocking waits spare browser and Node tests from polling: they answer
	// "ok" once the condition holds, or 504 after timeout ms (default 5000).
	mux.HandleFunc("/waitlive", s.controlWait(func(ctx context.Context, r *http.Request, n int) error {
		return s.WaitLive(ctx, n)
	}))
	mux.HandleFunc("/waitaccepted", s.controlWait(func(ctx context.Context, r *http.Request, n int) error {
		return s.WaitAccepted(ctx, n)
	}))
	mux.HandleFunc("/waitreceived", s.controlWait(func(ctx context.Context, r *http.Request, n int) error {
		return s.WaitReceived(ctx, r.FormValue("path"), n)
	}))
	return cors(mux)
}

func (s *Server) controlWait(wait func(context.Context, *http.Request, int) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n, ok := intArg(w, "n", r.FormValue("n"), 0, 0)
		if !ok {
			return
		}
		timeout, ok := intArg(w, "timeout", r.FormValue("timeout"), 5000, 0)
		if !ok {
			return
		}
		s.mu.Lock()
		s.ctrlWaits++
		s.notifyLocked()
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			s.ctrlWaits--
			s.mu.Unlock()
		}()
		// r.Context derives from s.ctx (BaseContext), so Close ends the wait.
		ctx, cancel := context.WithTimeout(r.Context(), ms(timeout))
		defer cancel()
		if err := wait(ctx, r, n); err != nil {
			http.Error(w, err.Error(), http.StatusGatewayTimeout)
			return
		}
		writeOK(w)
	}
}

// cors lets pages on any origin call the API, answers preflights, and keeps
// browsers from caching answers such as /live that change all the time.
func cors(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Access-Control-Allow-Origin", "*")
		hd.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		hd.Set("Access-Control-Allow-Headers", "*")
		// Chromium's Private Network Access preflight for loopback targets.
		hd.Set("Access-Control-Allow-Private-Network", "true")
		hd.Set("Cache-Control", "no-store")
		switch r.Method {
		case http.MethodOptions:
			w.WriteHeader(http.StatusNoContent)
			return
		case http.MethodGet, http.MethodPost:
			h.ServeHTTP(w, r)
		default:
			http.Error(w, "use GET or POST", http.StatusMethodNotAllowed)
		}
	})
}

func writeOK(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok"))
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}
