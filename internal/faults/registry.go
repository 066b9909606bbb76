package faults

import (
	"net/http"
	"sync"
)

// Registry is a server's set of live connections (of any type T, usually
// a struct around a *Live) and the goroutines that serve them. net/http
// forgets hijacked connections, so a server that must not return from its
// Close while handlers still run counts them here. After Shut it refuses
// new connections, handlers and goroutines. Safe for concurrent use.
type Registry[T comparable] struct {
	mu     sync.Mutex
	shut   bool
	set    map[T]struct{}
	wg     sync.WaitGroup
	refuse string // Track's 503 body after Shut
}

// NewRegistry returns an empty registry; refusal is the body Track
// answers with 503 after Shut (e.g. "server shutting down").
func NewRegistry[T comparable](refusal string) *Registry[T] {
	return &Registry[T]{set: make(map[T]struct{}), refuse: refusal}
}

// Add registers c unless the registry is shut, and reports whether it did.
func (r *Registry[T]) Add(c T) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.shut {
		return false
	}
	r.set[c] = struct{}{}
	return true
}

// Remove forgets c and reports whether it was registered.
func (r *Registry[T]) Remove(c T) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.set[c]
	delete(r.set, c)
	return ok
}

// List returns the connections match accepts (nil: all), in no order.
func (r *Registry[T]) List(match func(T) bool) []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]T, 0, len(r.set))
	for c := range r.set {
		if match == nil || match(c) {
			out = append(out, c)
		}
	}
	return out
}

// Count is len(List(match)) without the slice.
func (r *Registry[T]) Count(match func(T) bool) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for c := range r.set {
		if match == nil || match(c) {
			n++
		}
	}
	return n
}

// Go runs fn in a goroutine Wait waits for, and reports whether it did:
// not after Shut. fn must return promptly once the server is closing.
func (r *Registry[T]) Go(fn func()) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.shut {
		return false
	}
	r.wg.Go(fn)
	return true
}

// Track counts each run of h in the registry (Wait waits for it), and
// answers 503 instead after Shut.
func (r *Registry[T]) Track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		if r.shut {
			r.mu.Unlock()
			http.Error(w, r.refuse, http.StatusServiceUnavailable)
			return
		}
		r.wg.Add(1)
		r.mu.Unlock()
		defer r.wg.Done()
		h.ServeHTTP(w, req)
	})
}

// Shut refuses from now on what Add, Go and Track would start, and
// returns the connections still registered, for the caller to cut.
func (r *Registry[T]) Shut() []T {
	r.mu.Lock()
	r.shut = true
	r.mu.Unlock()
	return r.List(nil)
}

// IsShut reports whether Shut ran.
func (r *Registry[T]) IsShut() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.shut
}

// Wait waits for every handler and goroutine started through the
// registry. Call it after Shut.
func (r *Registry[T]) Wait() { r.wg.Wait() }
