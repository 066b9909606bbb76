package sdk_test

import (
	"testing"
	"time"

	"github.com/redial-ws/redial/sdk"
)

// TestRetryAfterWaitBound pins what Backoff.Max's doc says: a 429/503
// Retry-After is capped at Max, then up to 20 % jitter is added, so the
// wait lies in [Max, 1.2 × Max] when Retry-After is over Max.
func TestRetryAfterWaitBound(t *testing.T) {
	const maxDelay = 10 * time.Second
	for _, r := range []float64{0, 0.5, 0.999999} {
		d, retry := sdk.DefaultPolicy(sdk.RetryContext{HTTPStatus: 503, RetryAfter: time.Hour, MaxDelay: maxDelay, Rand: r})
		if !retry || d < maxDelay || d > maxDelay*12/10 {
			t.Errorf("Rand %v: wait %v, %v; want retry within [Max, 1.2 × Max]", r, d, retry)
		}
	}
}
