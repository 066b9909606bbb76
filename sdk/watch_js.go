//go:build js

package sdk

import (
	"sync"

	"github.com/hack-pad/safejs"

	"github.com/redial-ws/redial/internal/panicerr"
)

// browserWatch bends retry waits to what the page knows: while
// navigator.onLine is false a retry waits for the "online" event instead
// of dialing into nothing; "online", and the page becoming visible again
// ("visibilitychange" to visible, "pageshow" from the back/forward cache),
// cut a pending backoff short, since throttled or frozen timers may have
// left it far behind.
type browserWatch struct {
	target safejs.Value // globalThis: window in a page, self in a worker
	doc    safejs.Value
	ch     chan struct{}
	funcs  map[string]safejs.Func
	once   sync.Once
	log    Logger // Options.Logger: a listener's panic is reported there
}

func newPlatformWatch(log Logger) platformWatch {
	w := &browserWatch{target: safejs.Global(), ch: make(chan struct{}, 1), funcs: map[string]safejs.Func{}, log: log}
	w.doc, _ = w.target.Get("document")
	for _, name := range []string{"online", "pageshow"} {
		w.on(w.target, name, func() { w.poke() })
	}
	if !w.doc.IsUndefined() && !w.doc.IsNull() {
		w.on(w.doc, "visibilitychange", func() {
			if s, err := getString(w.doc, "visibilityState"); err == nil && s == "visible" {
				w.poke()
			}
		})
	}
	return w
}

func (w *browserWatch) on(target safejs.Value, name string, fn func()) {
	f, err := safejs.FuncOf(func(safejs.Value, []safejs.Value) any {
		// A Go panic must not reach JS: it stops here, logged with its
		// stack; the retry wait it meant to bend runs its course.
		defer panicerr.Log(w.log, "redial: panic in the browser's "+name+" listener")
		fn()
		return nil
	})
	if err != nil {
		return
	}
	if _, err := target.Call("addEventListener", name, f.Value()); err != nil {
		f.Release()
		return
	}
	w.funcs[name] = f
}

// poke never blocks: it runs inside a JS event callback.
func (w *browserWatch) poke() {
	select {
	case w.ch <- struct{}{}:
	default:
	}
}

func (w *browserWatch) wake() <-chan struct{} { return w.ch }

func (w *browserWatch) offline() bool {
	nav, err := w.target.Get("navigator")
	if err != nil || nav.IsUndefined() {
		return false
	}
	on, err := nav.Get("onLine")
	if err != nil || on.IsUndefined() {
		return false
	}
	b, err := on.Bool()
	return err == nil && !b
}

func (w *browserWatch) stop() {
	w.once.Do(func() {
		for name, f := range w.funcs {
			target := w.target
			if name == "visibilitychange" {
				target = w.doc
			}
			_, _ = target.Call("removeEventListener", name, f.Value())
			f.Release()
		}
	})
}
