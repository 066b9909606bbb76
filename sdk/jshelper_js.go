//go:build js

package sdk

import (
	_ "embed"
	"errors"
	"fmt"
	"sync"

	"github.com/hack-pad/safejs"
)

// The browser transport's hot path runs in a small piece of plain JS, so
// that a message in a stream costs no Go call of its own: the socket's
// onmessage queues the event's data on the JS side; a message that finds
// no wake due calls Go at once (a lone message waits for no task hop), and
// each call is followed by a probe, a MessageChannel message, that the
// messages arriving meanwhile wait for; Go then takes each such batch in one
// call and one copy. Sends go the other way: Go packs a batch
// into one buffer, copies it to JS once and one call sends each message.
//
// The helper is one object, made once per page: globalThis.__redialTransport
// when it has this version (redial-ws's index.js defines it, so a page whose
// Content-Security-Policy forbids eval still works), else compiled here with
// new Function from jshelper.js, the file the npm bundle includes too.

// jsHelperVersion is the helper's protocol version (its version field in
// jshelper.js; wasm/helper_test.go checks they agree); a global helper of
// another version is ignored.
const jsHelperVersion = 1

// Event kinds the helper passes to the socket's Go function.
const (
	evWake  = 0 // messages queued, or a yield's turn came
	evOpen  = 1
	evClose = 2
)

// Batch header flags (see take in the helper).
const (
	takeMore = 1 // more messages wait: take again
	takeOver = 2 // the next message was over the read limit
)

// jsHelperSource is jshelper.js, the one source of the helper: a script
// that declares the function redialTransportHelper, which returns the
// helper. redial-ws's npm bundle includes the same file as code.
//
//go:embed jshelper.js
var jsHelperSource string

var (
	helperMu  sync.Mutex
	helperVal safejs.Value // the helper, once made
)

// jsHelper returns the helper object, made on first use. A failure is not
// kept: the page may define globalThis.__redialTransport later.
func jsHelper() (safejs.Value, error) {
	helperMu.Lock()
	defer helperMu.Unlock()
	if !helperVal.IsUndefined() {
		return helperVal, nil
	}
	g := safejs.Global()
	if v, err := g.Get("__redialTransport"); err == nil && v.Type() == safejs.TypeObject {
		if ver, err := getInt(v, "version"); err == nil && ver == jsHelperVersion {
			helperVal = v
			return v, nil
		}
	}
	ctor, err := g.Get("Function")
	if err != nil {
		return safejs.Value{}, err
	}
	fn, err := ctor.New(jsHelperSource + "\nreturn redialTransportHelper();")
	if err != nil {
		return safejs.Value{}, fmt.Errorf("this page cannot compile the SDK's JS transport helper (does its Content-Security-Policy forbid eval? "+
			"then load redial-ws's index.js first: it defines globalThis.__redialTransport): %w", err)
	}
	v, err := fn.Invoke()
	if err != nil {
		return safejs.Value{}, err
	}
	if v.Type() != safejs.TypeObject {
		return safejs.Value{}, errors.New("the SDK's JS transport helper did not make an object")
	}
	helperVal = v
	return v, nil
}
