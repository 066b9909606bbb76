package sdk_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/redial-ws/redial/sdk"
)

// Option values that used to pass validation and produce nonsense (issue
// 8 §5): NaN, infinities, sub-floor durations. Each is refused by Dial with
// an *OptionError naming the field.
func TestDialRefusesNonsenseOptionValues(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		name  string
		o     sdk.Options
		field string
	}{
		{"Multiplier NaN", sdk.Options{Backoff: sdk.Backoff{Multiplier: nan}}, "Backoff.Multiplier"},
		{"Multiplier +Inf", sdk.Options{Backoff: sdk.Backoff{Multiplier: inf}}, "Backoff.Multiplier"},
		{"Multiplier -Inf", sdk.Options{Backoff: sdk.Backoff{Multiplier: -inf}}, "Backoff.Multiplier"},
		{"Jitter NaN", sdk.Options{Backoff: sdk.Backoff{Jitter: nan}}, "Backoff.Jitter"},
		{"Jitter +Inf", sdk.Options{Backoff: sdk.Backoff{Jitter: inf}}, "Backoff.Jitter"},
		{"Jitter negative", sdk.Options{Backoff: sdk.Backoff{Jitter: -0.1}}, "Backoff.Jitter"},
		{"Initial 1 ns", sdk.Options{Backoff: sdk.Backoff{Initial: 1}}, "Backoff.Initial"},
		{"Max 999 µs", sdk.Options{Backoff: sdk.Backoff{Max: time.Millisecond - 1}}, "Backoff.Max"},
		{"HeartbeatInterval 1 ns", sdk.Options{HeartbeatInterval: 1}, "HeartbeatInterval"},
		{"HeartbeatInterval 25 (meant seconds)", sdk.Options{HeartbeatInterval: 25}, "HeartbeatInterval"},
		{"HeartbeatInterval under the floor", sdk.Options{HeartbeatInterval: sdk.MinHeartbeatInterval - 1}, "HeartbeatInterval"},
		{"DialTimeout 1 ns", sdk.Options{DialTimeout: 1}, "DialTimeout"},
		{"DialTimeout under the floor", sdk.Options{DialTimeout: sdk.MinDialTimeout - 1}, "DialTimeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := sdk.Dial(ctxT(t), "ws://127.0.0.1:1/", &tc.o)
			var oe *sdk.OptionError
			if c != nil || !errors.As(err, &oe) || oe.Field != tc.field {
				t.Fatalf("Dial = %v, want an *OptionError for %s", err, tc.field)
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("err %q does not name %s", err, tc.field)
			}
		})
	}
}

// Values at the floors, and huge but meaningful ones, are accepted and
// give waits in [0, Max].
func TestBackoffDelayStaysInRange(t *testing.T) {
	for _, b := range []sdk.Backoff{
		{Multiplier: 1e300},
		{Initial: math.MaxInt64, Max: math.MaxInt64},
		{Initial: math.MaxInt64 - 1, Max: math.MaxInt64, Multiplier: 1e300},
		{Initial: math.MaxInt64, Max: math.MaxInt64, NoJitter: true},
		{Initial: sdk.MinBackoffDelay, Max: sdk.MinBackoffDelay, Multiplier: 1},
		{Max: math.MaxInt64, Multiplier: math.MaxFloat64, Jitter: 0.5},
		// What Dial refuses must still not break Delay when called directly.
		{Multiplier: math.NaN()},
		{Multiplier: math.Inf(1)},
		{Multiplier: -3, Jitter: math.NaN()},
		{Initial: -time.Second, Max: -time.Second},
		{Initial: time.Hour, Max: time.Second},
	} {
		max := b.Max
		if max <= 0 {
			max = sdk.DefaultMaxDelay
		}
		for _, attempt := range []int{math.MinInt, -1, 0, 1, 2, 63, 64, 1000, math.MaxInt} {
			for _, r := range []float64{0, 0.5, 0.9999999, 1, -1, 2, math.NaN(), math.Inf(1), math.Inf(-1)} {
				if d := b.Delay(attempt, r); d < 0 || d > max {
					t.Errorf("%+v.Delay(%d, %v) = %v, want in [0, %v]", b, attempt, r, d, max)
				}
			}
			if c := sdk.Ceiling(b, attempt); c < 0 || c > max {
				t.Errorf("%+v.Ceiling(%d) = %v, want in [0, %v]", b, attempt, c, max)
			}
		}
	}
}

// The example: Backoff{Multiplier: NaN} gave negative delays, i.e.
// thousands of dials a second. Delay is now in range even unvalidated.
func TestBackoffNaNMultiplierNeverNegative(t *testing.T) {
	b := sdk.Backoff{Multiplier: math.NaN()}
	for attempt := 1; attempt < 10; attempt++ {
		if d := b.Delay(attempt, 0.5); d < 0 {
			t.Fatalf("Delay(%d) = %v", attempt, d)
		}
	}
}

// A MaxDelay near the largest Duration: a 429's Retry-After jitter must
// not wrap the wait negative (an immediate retry).
func TestDefaultPolicyDelaySaturates(t *testing.T) {
	for _, rc := range []sdk.RetryContext{
		{HTTPStatus: 429, RetryAfter: math.MaxInt64, MaxDelay: math.MaxInt64, Rand: 0.99, Err: &sdk.HandshakeError{StatusCode: 429}},
		{HTTPStatus: 503, RetryAfter: math.MaxInt64 - 1, MaxDelay: math.MaxInt64, Rand: math.NaN(), Err: &sdk.HandshakeError{StatusCode: 503}},
	} {
		if d, retry := sdk.DefaultPolicy(rc); !retry || d < 0 {
			t.Errorf("DefaultPolicy(%d, Retry-After %v) = %v, %v; want a retry after a non-negative wait", rc.HTTPStatus, rc.RetryAfter, d, retry)
		}
	}
}

// Backoff.Initial near the largest Duration with MaxElapsed: the budget
// check must not overflow (elapsed + delay wrapped negative, so the Conn
// slept ~292 years instead of reporting ErrRetriesExhausted).
func TestMaxElapsedWithHugeBackoff(t *testing.T) {
	o := &sdk.Options{
		Backoff:     sdk.Backoff{Initial: math.MaxInt64, Max: math.MaxInt64, NoJitter: true},
		MaxElapsed:  time.Hour,
		NoHeartbeat: true,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := sdk.Dial(ctx, "ws://127.0.0.1:1/", o)
	if !errors.Is(err, sdk.ErrRetriesExhausted) {
		t.Fatalf("Dial = %v, want ErrRetriesExhausted at once", err)
	}
}

// Retry-After dates far in the future are capped like delta-seconds (a
// day), so no caller sees a wait near the largest Duration.
func TestRetryAfterDateCapped(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	he := &sdk.HandshakeError{StatusCode: 503, Header: map[string][]string{"Retry-After": {"Fri, 31 Dec 9999 23:59:59 GMT"}}}
	if d, ok := he.RetryAfter(now); !ok || d != 24*time.Hour {
		t.Fatalf("RetryAfter(year 9999) = %v, %v; want 24h", d, ok)
	}
}
