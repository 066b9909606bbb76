package sdk

import (
	"errors"
	"math"
	"time"
)

// RetryContext is what a policy decides on, after each failure.
type RetryContext struct {
	// Attempt is the number of this retry, from 1; it resets only after a
	// connection stayed open Options.StableAfter.
	Attempt int
	// Elapsed is the time since the connection was lost (or Dial began).
	Elapsed time.Duration
	// Err is the failure: a *CloseError, a *HandshakeError, a network or
	// timeout error, ErrHeartbeatTimeout.
	Err error
	// Close is the close that ended an open connection, or nil.
	Close *CloseError
	// HTTPStatus is the handshake answer's status when the handshake
	// failed at HTTP level (never in the browser); 0 otherwise.
	HTTPStatus int
	// RetryAfter is the handshake answer's Retry-After, when it had one.
	RetryAfter time.Duration
	// AuthFailures counts consecutive 401/403 answers, this one included.
	AuthFailures int
	// CanRefreshAuth is true when Options.URLFunc or HeaderFunc is set, so
	// another attempt may present new credentials.
	CanRefreshAuth bool
	// Backoff is the jittered backoff wait for this attempt, and MaxDelay
	// the backoff cap; Rand is a fresh uniform number in [0, 1) for any
	// jitter a policy adds. Together they make DefaultPolicy a pure function.
	Backoff  time.Duration
	MaxDelay time.Duration
	Rand     float64
}

// restartFloor is the shortest wait after 1012 Service Restart or 1013 Try
// Again Later: a server that says it is restarting is not back in 300 ms,
// and a herd retrying at once is what it asked us not to do.
const restartFloor = 5 * time.Second

// DefaultPolicy is the default policy as a pure function of rc: it
// returns the wait before the next attempt and whether there is one. Its
// table is the package documentation's "Default policy" section (doc.go),
// the one place it is written out.
func DefaultPolicy(rc RetryContext) (time.Duration, bool) {
	var (
		ue *URLError
		oe *OptionError
	)
	if errors.As(rc.Err, &ue) || errors.As(rc.Err, &oe) || errors.Is(rc.Err, ErrPermanent) {
		return 0, false
	}
	if rc.Close != nil {
		return closePolicy(rc)
	}
	switch s := rc.HTTPStatus; {
	case s == 0:
		return rc.Backoff, true
	case s == 401 || s == 403:
		return rc.Backoff, rc.CanRefreshAuth && rc.AuthFailures < 2
	case (s == 429 || s == 503) && rc.RetryAfter > 0:
		d := min(rc.RetryAfter, rc.MaxDelay)
		return addJitter(d, 0.2*clamp01(rc.Rand)), true
	case s == 429 || s >= 500:
		return rc.Backoff, true
	}
	return 0, false
}

func closePolicy(rc RetryContext) (time.Duration, bool) {
	ce := rc.Close
	if ce.Local {
		return 0, false
	}
	if h, ok := parseCloseHint(ce.Reason); ok {
		if h.noReconnect {
			return 0, false
		}
		if h.retryAfter >= 0 {
			return h.retryAfter, true
		}
	}
	if !closeRetryable(ce.Code) {
		return 0, false
	}
	if ce.Code == StatusServiceRestart || ce.Code == StatusTryAgainLater {
		// An app that set Backoff.Max under 5 s asked for its cap; keep it.
		return min(addJitter(restartFloor, clamp01(rc.Rand)), max(rc.MaxDelay, rc.Backoff)), true
	}
	return rc.Backoff, true
}

// closeRetryable reports whether the default policy reconnects after a
// close with code (ignoring any hint in the reason).
func closeRetryable(code StatusCode) bool {
	switch {
	case code >= 3000 && code <= 3499, code >= 4000 && code <= 4499:
		return true
	case code >= 3500 && code <= 3999, code >= 4500 && code <= 4999:
		return false
	}
	switch code {
	case StatusNormalClosure, StatusGoingAway, StatusNoStatusRcvd, StatusAbnormalClosure,
		StatusInternalError, StatusServiceRestart, StatusTryAgainLater, StatusBadGateway:
		return true
	}
	// 1002 1003 1007 1008 1009 1010, 1015 (TLS will fail again) and codes
	// no one registered: retrying would repeat the same failure.
	return false
}

// addJitter is d + d×f, saturating at the largest Duration (a MaxDelay
// near it would otherwise wrap negative: a retry storm) and never below 0.
func addJitter(d time.Duration, f float64) time.Duration {
	if d <= 0 {
		return 0
	}
	x := float64(d) * (1 + f)
	if !(x < float64(math.MaxInt64)) {
		return math.MaxInt64
	}
	return time.Duration(x)
}
