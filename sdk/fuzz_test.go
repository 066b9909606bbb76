//go:build !js

package sdk

// Fuzz targets for the parsers and validators that take outside input
// (issue 8, "Done when"). Seed corpora are in testdata/fuzz/<target>;
// `make test` runs each for a few seconds, `make fuzz` for longer. Others
// live beside their subject: FuzzCloseReasonNeverPanics (the close-reason
// hint, policy_e2e_test.go) and FuzzSHA1 (sha1_test.go).

import (
	"context"
	"errors"
	"math"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzOptionsBackoff: every Backoff gives waits in [0, Max] from Delay and
// ceiling, whatever its fields, attempt or r; every Options that
// newConfig accepts is inside its documented bounds, and every one it
// refuses is refused with an *OptionError.
func FuzzOptionsBackoff(f *testing.F) {
	f.Add(int64(0), int64(0), 0.0, 0.0, false, int64(0), int64(0), 1, 0.5)
	f.Add(int64(0), int64(0), math.NaN(), 0.0, false, int64(0), int64(0), 3, 0.5)
	f.Add(int64(0), int64(0), 1e300, 0.0, false, int64(0), int64(0), 2, 0.99)
	f.Add(int64(math.MaxInt64), int64(math.MaxInt64), 2.0, 1.0, false, int64(0), int64(0), 1, 0.9999999)
	f.Add(int64(time.Millisecond), int64(time.Millisecond), 1.0, 0.5, true, int64(1), int64(1), math.MaxInt, math.NaN())
	f.Add(int64(time.Second), int64(30*time.Second), 2.0, math.NaN(), false, int64(MinHeartbeatInterval), int64(MinDialTimeout), -5, math.Inf(1))
	f.Fuzz(func(t *testing.T, initial, maxD int64, mult, jitter float64, noJitter bool, hb, dt int64, attempt int, r float64) {
		b := Backoff{Initial: time.Duration(initial), Max: time.Duration(maxD), Multiplier: mult, Jitter: jitter, NoJitter: noJitter}
		limit := b.Max
		if limit <= 0 {
			limit = DefaultMaxDelay
		}
		if d := b.Delay(attempt, r); d < 0 || d > limit {
			t.Fatalf("%+v.Delay(%d, %v) = %v, outside [0, %v]", b, attempt, r, d, limit)
		}
		if c := b.ceiling(attempt); c < 0 || c > limit {
			t.Fatalf("%+v.Ceiling(%d) = %v, outside [0, %v]", b, attempt, c, limit)
		}

		cfg, err := newConfig(&Options{Backoff: b, HeartbeatInterval: time.Duration(hb), DialTimeout: time.Duration(dt)})
		if err != nil {
			var oe *OptionError
			if !errors.As(err, &oe) {
				t.Fatalf("refused with %T %v, want an *OptionError", err, err)
			}
			return
		}
		bb := cfg.backoff
		switch {
		case bb.Initial < MinBackoffDelay || bb.Max < bb.Initial:
			t.Fatalf("accepted Initial %v, Max %v", bb.Initial, bb.Max)
		case !(bb.Multiplier >= 1) || math.IsInf(bb.Multiplier, 0):
			t.Fatalf("accepted Multiplier %v", bb.Multiplier)
		case !(bb.Jitter >= 0 && bb.Jitter <= 1):
			t.Fatalf("accepted Jitter %v", bb.Jitter)
		case cfg.heartbeat < MinHeartbeatInterval || cfg.DialTimeout < MinDialTimeout:
			t.Fatalf("accepted heartbeat %v, dial timeout %v", cfg.heartbeat, cfg.DialTimeout)
		}
		if d := bb.Delay(attempt, r); d < 0 || d > bb.Max {
			t.Fatalf("accepted %+v: Delay(%d, %v) = %v, outside [0, %v]", bb, attempt, r, d, bb.Max)
		}
	})
}

// FuzzNormalizeURL: no panic; what it accepts is ws:// or wss://, free of
// spaces, controls and fragments, and accepted again unchanged.
func FuzzNormalizeURL(f *testing.F) {
	for _, s := range []string{"ws://h", "wss://h:443/p?q=1", "HTTP://[::1]:80/", "ws://u:p@h/", "ws://h:99999",
		"ws://[::1", "ws://h/#x", "ws://h/%zz", "mailto:x@y", "ws:///p", "ws://a:b:c/", "ws://[fe80::1%25en0]/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := normalizeURL(raw)
		if err != nil {
			var ue *URLError
			if !errors.As(err, &ue) {
				t.Fatalf("normalizeURL(%q) refused with %T, want *URLError", raw, err)
			}
			return
		}
		if !strings.HasPrefix(u, "ws://") && !strings.HasPrefix(u, "wss://") {
			t.Fatalf("normalizeURL(%q) = %q, not ws/wss", raw, u)
		}
		if strings.ContainsAny(u, "# \t\r\n\x00\x7f") {
			t.Fatalf("normalizeURL(%q) = %q, with a fragment, space or control", raw, u)
		}
		if again, err := normalizeURL(u); err != nil || again != u {
			t.Fatalf("normalizeURL(%q) = %q, then %q, %v: not idempotent", raw, u, again, err)
		}
	})
}

// FuzzRetryAfter: no panic, and any value parsed is a wait in [0, a day].
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"120", "0", "-5", "99999999999999999999", "Thu, 26 Nov 2026 12:00:30 GMT",
		"Thursday, 26-Nov-26 12:01:00 GMT", "Thu Nov 26 12:00:05 2026", "Fri, 31 Dec 9999 23:59:59 GMT", " 7 ", "soon"} {
		f.Add(s, int64(1795694400))
	}
	f.Fuzz(func(t *testing.T, v string, nowUnix int64) {
		d, ok := parseRetryAfter(v, time.Unix(nowUnix, 0))
		if ok && (d < 0 || d > maxRetryAfter) {
			t.Fatalf("parseRetryAfter(%q) = %v, outside [0, %v]", v, d, maxRetryAfter)
		}
	})
}

// errNoDial stops the round trip after net/http's own header checks.
var errNoDial = errors.New("fuzz: no dial")

// FuzzHeader: validateHeader against net/http, which is what sends the
// headers natively: anything it accepts, net/http sends (no attempt can
// fail on it), and anything net/http refuses, it refuses up front.
func FuzzHeader(f *testing.F) {
	for _, kv := range [][2]string{{"Authorization", "Bearer x"}, {"X-A", "1\r\nX-B: 2"}, {"X A", "1"}, {"", "v"},
		{"Sec-WebSocket-Key", "k"}, {"X", "caf\xc3\xa9\t"}, {"X", "\x00"}, {"Host", "h"}, {"X", "\x7f"}} {
		f.Add(kv[0], kv[1])
	}
	tr := &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) { return nil, errNoDial }}
	f.Cleanup(tr.CloseIdleConnections)
	f.Fuzz(func(t *testing.T, name, value string) {
		ours := validateHeader("Header", map[string][]string{name: {value}})
		req, err := http.NewRequest("GET", "http://127.0.0.1:1/", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header = http.Header{name: {value}}
		_, theirs := tr.RoundTrip(req)
		netHTTPRefused := theirs != nil && !errors.Is(theirs, errNoDial)
		switch {
		case ours == nil && netHTTPRefused:
			t.Fatalf("header %q: %q accepted, but net/http refuses it: %v", name, value, theirs)
		case ours != nil && !netHTTPRefused && managedHeaders[strings.ToLower(name)] == "":
			t.Fatalf("header %q: %q refused (%v), but net/http sends it", name, value, ours)
		}
	})
}
