package sdk

import (
	"errors"
	"fmt"
	"time"
)

// This file is what the supervisor hands the policy and what it checks
// after it: the RetryContext of a failure (with the 401/403 count) and
// the retry budget (Options.MaxRetries, MaxElapsed).

// retryContext builds what the policy decides on. authFailures counts
// consecutive 401/403 answers across calls; any other failure resets it.
func (c *Conn) retryContext(err error, attempt int, lostAt time.Time, authFailures *int) RetryContext {
	rc := RetryContext{
		Attempt:        attempt,
		Elapsed:        c.cfg.clock.Now().Sub(lostAt),
		Err:            err,
		Close:          asClose(err),
		CanRefreshAuth: c.cfg.URLFunc != nil || c.cfg.HeaderFunc != nil,
		Backoff:        c.cfg.backoff.Delay(attempt, c.cfg.rand()),
		MaxDelay:       c.cfg.backoff.Max,
		Rand:           clamp01(c.cfg.rand()),
	}
	var he *HandshakeError
	if errors.As(err, &he) {
		rc.HTTPStatus = he.StatusCode
		rc.RetryAfter, _ = he.RetryAfter(c.cfg.clock.Now())
		if he.StatusCode == 401 || he.StatusCode == 403 {
			*authFailures++
		} else {
			*authFailures = 0
		}
	} else {
		*authFailures = 0
	}
	rc.AuthFailures = *authFailures
	return rc
}

// checkBudget turns a retry into a final failure once MaxRetries or
// MaxElapsed is spent.
func (c *Conn) checkBudget(err error, attempt int, elapsed, delay time.Duration) (error, bool) {
	if m := c.cfg.MaxRetries; m > 0 && attempt > m {
		return fmt.Errorf("%w: %d retries (Options.MaxRetries); last error: %w", ErrRetriesExhausted, m, err), false
	}
	if m := c.cfg.MaxElapsed; m > 0 && delay > m-elapsed { // not elapsed+delay: it can overflow
		return fmt.Errorf("%w: %v retrying (Options.MaxElapsed %v); last error: %w", ErrRetriesExhausted,
			elapsed.Round(time.Millisecond), m.Round(time.Millisecond), err), false
	}
	return err, true
}
