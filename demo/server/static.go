package main

import (
	"fmt"
	"net/http"
	"os"
)

// staticDir serves dir, or explains that it is missing.
func staticDir(dir, what string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if st, err := os.Stat(dir); dir == "" || err != nil || !st.IsDir() {
			if r.URL.Path == "/" && what == "page" {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprintf(w, placeholderPage, dir)
				return
			}
			http.Error(w, fmt.Sprintf("the demo's %s directory %q does not exist (see -web and -dist)", what, dir), http.StatusNotFound)
			return
		}
		files.ServeHTTP(w, r)
	})
}

const placeholderPage = `<!doctype html><meta charset="utf-8"><title>redial demo</title>
<h1>redial demo server</h1>
<p>The page directory <code>%s</code> does not exist yet: pass <code>-web DIR</code>.
The WebSocket endpoints (<code>/ws/echo</code>, <code>/ws/ticker</code>, <code>/ws/chat</code>)
and the control API (<code>/api/state</code>, ...) work already.</p>`

// noCache: the demo is for editing and reloading.
func noCache(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		h.ServeHTTP(w, r)
	})
}
