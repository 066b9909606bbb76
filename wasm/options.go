//go:build js

package main

import (
	"math"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/redial-ws/redial/internal/sdkhooks"
	"github.com/redial-ws/redial/sdk"
)

// jsOptions are the shim's options, in camelCase, mapped onto sdk.Options.
// The shim has already checked names and types; this checks again what Go
// relies on, so a direct caller of __redial gets a worded error too.
type jsOptions struct {
	sdk.Options
	shouldReconnect safejs.Value // a function, or undefined
	noRetry         bool         // maxRetries: 0
}

// parseOptions reads v (an object or undefined).
func parseOptions(v safejs.Value) (*jsOptions, error) {
	o := &jsOptions{shouldReconnect: safejs.Undefined()}
	// Every write here comes from a JS call (send), during which no turn of
	// the event loop can come: the transport must not wait for one.
	sdkhooks.Of(&o.Options).NoWriteYield = true
	if v.IsUndefined() || v.IsNull() {
		return o, nil
	}
	if v.Type() != safejs.TypeObject {
		return nil, invalid("options must be an object")
	}
	var err error
	num := func(name string) (float64, bool) {
		if err != nil {
			return 0, false
		}
		x, e := v.Get(name)
		if e != nil {
			err = e
			return 0, false
		}
		if x.IsUndefined() || x.IsNull() {
			return 0, false
		}
		if x.Type() != safejs.TypeNumber {
			err = invalid("option %s must be a number", name)
			return 0, false
		}
		f, e := x.Float()
		if e != nil || math.IsNaN(f) || f < 0 {
			err = invalid("option %s must be a number ≥ 0", name)
			return 0, false
		}
		return f, true
	}
	ms := func(name string, dst *time.Duration) {
		if f, ok := num(name); ok {
			if f > float64(math.MaxInt64/int64(time.Millisecond)) {
				f = float64(math.MaxInt64 / int64(time.Millisecond))
			}
			*dst = time.Duration(f * float64(time.Millisecond))
		}
	}
	count := func(name string, dst *int) {
		if f, ok := num(name); ok {
			*dst = int(min(f, math.MaxInt32)) // Infinity: as good as unbounded
		}
	}

	ms("minDelayMs", &o.Backoff.Initial)
	ms("maxDelayMs", &o.Backoff.Max)
	if f, ok := num("factor"); ok {
		if f < 1 {
			return nil, invalid("option factor must be ≥ 1")
		}
		o.Backoff.Multiplier = f
	}
	if f, ok := num("jitter"); ok {
		if f > 1 {
			return nil, invalid("option jitter must be between 0 and 1")
		}
		o.Backoff.Jitter = f
		o.Backoff.NoJitter = f == 0
	}
	if f, ok := num("maxRetries"); ok {
		switch {
		case f == 0:
			o.noRetry = true
		case math.IsInf(f, 1) || f > math.MaxInt32:
			o.MaxRetries = 0 // unlimited
		default:
			o.MaxRetries = int(f)
		}
	}
	ms("maxElapsedMs", &o.MaxElapsed)
	count("maxQueued", &o.MaxQueued)
	count("maxQueuedBytes", &o.MaxQueuedBytes)
	ms("connectTimeoutMs", &o.DialTimeout)
	if f, ok := num("heartbeatMs"); ok {
		if f == 0 {
			o.NoHeartbeat = true
		} else {
			o.HeartbeatInterval = time.Duration(f * float64(time.Millisecond))
		}
	}
	if err != nil {
		return nil, err
	}
	if b := o.Backoff; b.Initial > 0 && b.Max > 0 && b.Initial > b.Max {
		return nil, invalid("option minDelayMs must not exceed maxDelayMs")
	}
	if b := o.Backoff; b.Max == 0 && b.Initial > sdk.DefaultMaxDelay {
		o.Backoff.Max = b.Initial // a long first delay raises the default cap with it
	}
	rs, e := v.Get("resume")
	if e != nil {
		return nil, e
	}
	switch rs.Type() {
	case safejs.TypeUndefined, safejs.TypeNull:
	case safejs.TypeBoolean:
		if o.Resume, e = rs.Truthy(); e != nil {
			return nil, e
		}
	default:
		return nil, invalid("option resume must be a boolean")
	}
	// sdk.Options.WebSocketStream: read backpressure where the browser has WebSocketStream.
	if e := boolOption(v, "webSocketStream", &o.WebSocketStream); e != nil {
		return nil, e
	}
	sr, e := v.Get("shouldReconnect")
	if e != nil {
		return nil, e
	}
	switch sr.Type() {
	case safejs.TypeUndefined, safejs.TypeNull:
	case safejs.TypeFunction:
		o.shouldReconnect = sr
	default:
		return nil, invalid("option shouldReconnect must be a function")
	}
	ctor, e := v.Get("WebSocket")
	if e != nil {
		return nil, e
	}
	switch ctor.Type() {
	case safejs.TypeUndefined, safejs.TypeNull:
	case safejs.TypeFunction:
		// Dialled with instead of globalThis.WebSocket (sdk/wsctor_js.go).
		sdkhooks.Of(&o.Options).WebSocket = ctor
	default:
		return nil, invalid("option WebSocket must be a WebSocket constructor")
	}
	return o, nil
}

// policy is the sdk.Options.Policy the JS options ask for: shouldReconnect
// (code, reason) decides when it returns a boolean, DefaultPolicy when it
// returns undefined; maxRetries 0 never retries. It runs on the SDK's
// supervisor goroutine, so calling into JS from it is safe.
func (o *jsOptions) policy() func(sdk.RetryContext) (time.Duration, bool) {
	if o.shouldReconnect.IsUndefined() && !o.noRetry {
		return nil
	}
	fn, noRetry := o.shouldReconnect, o.noRetry
	return func(rc sdk.RetryContext) (delay time.Duration, retry bool) {
		delay, retry = sdk.DefaultPolicy(rc)
		if noRetry {
			return 0, false
		}
		if rc.Close != nil && rc.Close.Local {
			return delay, retry // this side closed: not the page's question
		}
		code, reason := int(sdk.StatusAbnormalClosure), ""
		if rc.Close != nil {
			code, reason = int(rc.Close.Code), rc.Close.Reason
		}
		ans, ok := callShouldReconnect(fn, code, reason)
		if !ok {
			return delay, retry
		}
		if !ans {
			return 0, false
		}
		if !retry {
			delay = rc.Backoff // the default said final: it has no delay to offer
		}
		return delay, true
	}
}

// callShouldReconnect returns (answer, true) when the function returned a
// boolean-ish value, (_, false) for undefined/null or when it threw (the
// shim's wrapper reports what it threw).
func callShouldReconnect(fn safejs.Value, code int, reason string) (ans, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			ans, ok = false, false
		}
	}()
	v, err := fn.Invoke(code, reason)
	if err != nil || v.IsUndefined() || v.IsNull() {
		return false, false
	}
	b, err := v.Truthy()
	return b, err == nil
}
