// Package sdkhooks reaches the settings package sdk keeps out of its
// public API because no application needs them: an injected clock and
// random source (tests: test/conformance, internal/sdktest, the sdk's own),
// and the browser writer's yield switch (the wasm layer). It is internal,
// so only this module can set them.
//
// An *sdk.Options carries a Hooks value in an unexported field; Of returns
// a pointer to it. Package sdk registers the accessor at init (sdk imports
// this package, not the other way round, so that fakeclock can implement
// Clock without importing sdk). Dial and New copy the Hooks with the rest
// of the Options.
//
//	o := &sdk.Options{}
//	sdkhooks.Of(o).Clock = fakeclock.New(start)
package sdkhooks

import "time"

// Clock is the SDK's only source of time for its own waits: the
// supervisor's backoff, the heartbeat ticks and the stability check all go
// through it, so a test can run a retry schedule in milliseconds. Dial and
// close timeouts stay on real time: they guard real sockets.
type Clock interface {
	Now() time.Time
	NewTimer(d time.Duration) Timer
}

// Timer is the part of *time.Timer the SDK uses.
type Timer interface {
	C() <-chan time.Time
	Stop() bool
}

// Hooks are the hidden settings of one sdk.Options; the zero value means
// none (real time, math/rand/v2, the browser writer yields).
type Hooks struct {
	// Clock replaces the real clock; nil means real time.
	Clock Clock
	// Rand returns uniform numbers in [0, 1) for jitter; nil means
	// math/rand/v2.
	Rand func() float64
	// NoWriteYield (browser build; no effect natively) turns off the yield
	// that keeps a goroutine writing without pause from starving the page:
	// a writer that sent for a few milliseconds with no turn of the event
	// loop otherwise waits for one. For the wasm layer, whose every Write
	// comes from a JS call, where no turn can come until that call returns.
	NoWriteYield bool
	// WebSocket (browser build; no effect natively) is the JS WebSocket
	// constructor to dial with, a safejs.Value (any here: this package
	// builds natively too), instead of globalThis.WebSocket: the npm
	// package's option WebSocket, for Node < 22 (no global) with the `ws`
	// package, as reconnecting-websocket and partysocket take one. nil or
	// any other type means the global.
	WebSocket any
}

var access func(opts any) *Hooks

// Register is package sdk's, called once at init.
func Register(f func(opts any) *Hooks) { access = f }

// Of returns the Hooks of opts, which must be a non-nil *sdk.Options (else
// it panics: a test's bug).
func Of(opts any) *Hooks { return access(opts) }
