package sdk_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/redial-ws/redial/sdk"
)

// One row per line of the default policy table (sdk/doc.go, "Default policy").
func TestDefaultPolicyTable(t *testing.T) {
	const backoff = 700 * time.Millisecond
	closeErr := func(code sdk.StatusCode, reason string) sdk.RetryContext {
		ce := &sdk.CloseError{Code: code, Reason: reason}
		return sdk.RetryContext{Err: ce, Close: ce}
	}
	hs := func(status int, retryAfter time.Duration) sdk.RetryContext {
		he := &sdk.HandshakeError{StatusCode: status}
		return sdk.RetryContext{Err: he, HTTPStatus: status, RetryAfter: retryAfter}
	}
	type row struct {
		name       string
		rc         sdk.RetryContext
		retry      bool
		minD, maxD time.Duration
	}
	var rows []row
	add := func(name string, rc sdk.RetryContext, retry bool, minD, maxD time.Duration) {
		rows = append(rows, row{name, rc, retry, minD, maxD})
	}
	local := &sdk.CloseError{Code: 1000, Local: true}
	add("app's own Close", sdk.RetryContext{Err: local, Close: local}, false, 0, 0)
	for _, c := range []sdk.StatusCode{1002, 1003, 1007, 1008, 1009, 1010, 3500, 3999, 4500, 4999} {
		add(fmt.Sprintf("close %d final", c), closeErr(c, ""), false, 0, 0)
	}
	for _, c := range []sdk.StatusCode{1000, 1001, 1005, 1006, 1011, 1014, 3000, 3499, 4000, 4499} {
		add(fmt.Sprintf("close %d backoff", c), closeErr(c, ""), true, backoff, backoff)
	}
	for _, c := range []sdk.StatusCode{1012, 1013} {
		add(fmt.Sprintf("close %d at least 5s", c), closeErr(c, ""), true, 5*time.Second, 10*time.Second)
	}
	add("hint reconnect:false beats a retryable code", closeErr(1001, `{"reconnect":false}`), false, 0, 0)
	add("hint retryAfterMs beats backoff", closeErr(1011, `{"retryAfterMs": 2500}`), true, 2500*time.Millisecond, 2500*time.Millisecond)
	add("hint retryAfterMs beats a final code", closeErr(4500, `{"retryAfterMs":100}`), true, 100*time.Millisecond, 100*time.Millisecond)
	add("reason that is not a hint", closeErr(1011, `{"reconnect":"maybe"`), true, backoff, backoff)

	auth1 := hs(401, 0)
	auth1.AuthFailures, auth1.CanRefreshAuth = 1, true
	add("401 with a token provider: once more", auth1, true, backoff, backoff)
	auth2 := auth1
	auth2.AuthFailures = 2
	add("401 twice: final", auth2, false, 0, 0)
	auth3 := hs(403, 0)
	auth3.AuthFailures = 1
	add("403 with no provider: final", auth3, false, 0, 0)
	for _, s := range []int{400, 404, 410, 101} {
		add(fmt.Sprintf("handshake %d final", s), hs(s, 0), false, 0, 0)
	}
	add("429 Retry-After 3s", hs(429, 3*time.Second), true, 3*time.Second, 3600*time.Millisecond)
	add("503 Retry-After 2h capped at max", hs(503, 2*time.Hour), true, 30*time.Second, 36*time.Second)
	add("429 without Retry-After: backoff", hs(429, 0), true, backoff, backoff)
	add("502: backoff", hs(502, 0), true, backoff, backoff)
	add("network error: backoff", sdk.RetryContext{Err: errors.New("connection refused")}, true, backoff, backoff)
	add("heartbeat timeout: backoff", sdk.RetryContext{Err: sdk.ErrHeartbeatTimeout}, true, backoff, backoff)
	add("bad URL from URLFunc: final", sdk.RetryContext{Err: &sdk.URLError{URL: "x", Reason: "bad"}}, false, 0, 0)

	for _, r := range rows {
		for _, rnd := range []float64{0, 0.5, 0.999} {
			rc := r.rc
			rc.Backoff, rc.MaxDelay, rc.Rand, rc.Attempt = backoff, 30*time.Second, rnd, 1
			d, retry := sdk.DefaultPolicy(rc)
			if retry != r.retry {
				t.Errorf("%s: retry = %v, want %v", r.name, retry, r.retry)
				continue
			}
			if retry && (d < r.minD || d > r.maxD) {
				t.Errorf("%s (rand %v): delay %v, want in [%v, %v]", r.name, rnd, d, r.minD, r.maxD)
			}
		}
	}
}

func TestCloseRetryableSplitsAppRanges(t *testing.T) {
	for code, want := range map[sdk.StatusCode]bool{3000: true, 3499: true, 3500: false, 4000: true, 4499: true, 4500: false, 1015: false, 1004: false} {
		if got := sdk.CloseRetryable(code); got != want {
			t.Errorf("CloseRetryable(%d) = %v, want %v", code, got, want)
		}
	}
}

func TestHandshakeErrorRetryAfterForms(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"120":                              2 * time.Minute,
		"Thu, 26 Nov 2026 12:00:30 GMT":    30 * time.Second,
		"Thursday, 26-Nov-26 12:01:00 GMT": time.Minute,
		"Thu Nov 26 12:00:05 2026":         5 * time.Second,
		"Wed, 25 Nov 2026 12:00:00 GMT":    0, // in the past: at once
	}
	for v, want := range cases {
		he := &sdk.HandshakeError{StatusCode: 429, Header: map[string][]string{"Retry-After": {v}}}
		got, ok := he.RetryAfter(now)
		if !ok || got != want {
			t.Errorf("Retry-After %q = %v, %v; want %v", v, got, ok, want)
		}
	}
	for _, bad := range []string{"", "soon", "-5"} {
		he := &sdk.HandshakeError{Header: map[string][]string{"retry-after": {bad}}}
		if _, ok := he.RetryAfter(now); ok {
			t.Errorf("Retry-After %q parsed, want refused", bad)
		}
	}
}
