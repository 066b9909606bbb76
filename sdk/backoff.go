package sdk

import (
	"fmt"
	"math"
	"time"
)

// Backoff shapes the wait between reconnect attempts. The zero value means
// the defaults (1 s initial, 30 s max, ×2, full jitter).
type Backoff struct {
	Initial time.Duration // cap of the first wait; default 1 s; ≥ MinBackoffDelay when set
	// Max caps every backoff wait; default 30 s; ≥ MinBackoffDelay when
	// set. DefaultPolicy caps a server's Retry-After (429/503) at Max too,
	// then adds up to 20 % jitter, so such a wait reaches 1.2 × Max: the
	// jitter spreads a herd that the same Retry-After would send back at
	// once. Backoff.Delay itself never exceeds Max.
	Max        time.Duration
	Multiplier float64 // growth per attempt, finite and ≥ 1; default 2
	// Dial refuses NaN, infinite, negative and sub-floor values with an
	// *OptionError; any value is safe (capped at Max) once accepted.
	// Jitter is the randomized fraction of each wait, 0..1. The default,
	// 1, is full jitter (AWS "Exponential Backoff and Jitter"): a herd of
	// clients that dropped together spreads over the whole window. Since
	// the zero value means "default", ask for no jitter with NoJitter.
	Jitter float64
	// NoJitter turns jitter off (deterministic waits); for tests and demos.
	NoJitter bool
}

// Default backoff values.
const (
	DefaultInitialDelay = 1 * time.Second
	DefaultMaxDelay     = 30 * time.Second
	DefaultMultiplier   = 2.0
	// MinBackoffDelay is the floor of Initial and Max (when set): under a
	// millisecond a refused port is redialed thousands of times a second,
	// and such a value is nearly always a bare number meant as seconds or
	// milliseconds but read as nanoseconds (time.Duration's unit).
	MinBackoffDelay = time.Millisecond
)

func (b Backoff) withDefaults() Backoff {
	if b.Initial == 0 {
		b.Initial = DefaultInitialDelay
	}
	if b.Max == 0 {
		b.Max = DefaultMaxDelay
	}
	if b.Multiplier == 0 {
		b.Multiplier = DefaultMultiplier
	}
	if b.Jitter == 0 {
		b.Jitter = 1
	}
	if b.NoJitter {
		b.Jitter = 0
	}
	return b
}

// underFloor words a Backoff delay under MinBackoffDelay.
func underFloor(d time.Duration) string {
	return fmt.Sprintf("is %v, under the floor of %v (a duration in nanoseconds? use time.Millisecond)",
		d.Round(time.Millisecond), MinBackoffDelay.Round(time.Millisecond))
}

func (b Backoff) validate() error {
	switch {
	case b.Initial < 0:
		return &OptionError{"Backoff.Initial", "must not be negative"}
	case b.Initial > 0 && b.Initial < MinBackoffDelay:
		return &OptionError{"Backoff.Initial", underFloor(b.Initial)}
	case b.Max < 0:
		return &OptionError{"Backoff.Max", "must not be negative"}
	case b.Max > 0 && b.Max < MinBackoffDelay:
		return &OptionError{"Backoff.Max", underFloor(b.Max)}
	case math.IsNaN(b.Multiplier) || math.IsInf(b.Multiplier, 0):
		return &OptionError{"Backoff.Multiplier", "must be a finite number"}
	case b.Multiplier != 0 && b.Multiplier < 1:
		return &OptionError{"Backoff.Multiplier", "must be at least 1"}
	case !(b.Jitter >= 0 && b.Jitter <= 1): // also refuses NaN
		return &OptionError{"Backoff.Jitter", "must be between 0 and 1"}
	}
	b = b.withDefaults()
	if b.Initial > b.Max {
		return &OptionError{"Backoff.Initial", "must not exceed Backoff.Max"}
	}
	return nil
}

// sane is b with defaults, and any value validate would refuse replaced by
// its default (or clamped), so ceiling and Delay stay in [0, Max] for a
// Backoff that never went through Dial's validation.
func (b Backoff) sane() Backoff {
	if b.Initial < 0 {
		b.Initial = 0
	}
	if b.Max < 0 {
		b.Max = 0
	}
	if !(b.Multiplier >= 1) || math.IsInf(b.Multiplier, 0) { // NaN, < 1, ±Inf
		b.Multiplier = 0
	}
	if !(b.Jitter >= 0 && b.Jitter <= 1) {
		b.Jitter = 0
	}
	b = b.withDefaults()
	b.Initial = min(b.Initial, b.Max)
	return b
}

// ceiling is the largest wait before retry number attempt (1-based):
// min(Max, Initial × Multiplier^(attempt-1)); see Delay.
func (b Backoff) ceiling(attempt int) time.Duration {
	b = b.sane()
	if attempt < 1 {
		attempt = 1
	}
	// math.Pow, not a loop: attempt can be huge and Multiplier 1.
	d := float64(b.Initial) * math.Pow(b.Multiplier, float64(attempt-1))
	// Compare in float64 and return Max itself: float64(Max) may round up
	// past math.MaxInt64, and converting that back would wrap negative.
	if !(d < float64(b.Max)) { // also +Inf and NaN
		return b.Max
	}
	return time.Duration(d)
}

// Delay is the wait before retry number attempt, a pure function of its
// inputs: r is a uniform random number in [0, 1). Each attempt has a
// ceiling, min(Max, Initial × Multiplier^(attempt-1)); with the defaults:
//
//	attempt   1    2    3    4    5     6+
//	ceiling   1s   2s   4s   8s   16s   30s
//
// With full jitter the wait is r × ceiling, so it lies in [0, 1s), [0, 2s),
// … [0, 30s), and jitter stays on at the cap (a fixed 30 s would
// re-synchronize a herd). With Jitter j the wait is ceiling × (1 - j + j×r).
//
// For any inputs it returns a wait in [0, Max] (Max after defaults): an r
// outside [0, 1) or NaN is clamped, an attempt under 1 counts as 1, and a
// Backoff that Dial would refuse (NaN, negative or infinite fields) has
// those fields replaced by their defaults.
func (b Backoff) Delay(attempt int, r float64) time.Duration {
	b = b.sane()
	c := float64(b.ceiling(attempt))
	d := c*(1-b.Jitter) + c*b.Jitter*clamp01(r)
	switch {
	case !(d > 0): // also NaN
		return 0
	case d >= float64(b.Max):
		return b.Max
	}
	return time.Duration(d)
}

// clamp01 maps r into [0, 1); NaN maps to 0.
func clamp01(r float64) float64 {
	switch {
	case !(r >= 0):
		return 0
	case r >= 1:
		return 0.9999999
	}
	return r
}
