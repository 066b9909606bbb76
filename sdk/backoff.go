package sdk

import "time"

// Backoff shapes the wait between reconnect attempts. The zero value means
// the defaults (1 s initial, 30 s max, ×2, full jitter).
type Backoff struct {
	Initial    time.Duration // cap of the first wait; default 1 s
	Max        time.Duration // cap of every wait; default 30 s
	Multiplier float64       // growth per attempt, ≥ 1; default 2
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

func (b Backoff) validate() error {
	switch {
	case b.Initial < 0:
		return &OptionError{"Backoff.Initial", "must not be negative"}
	case b.Max < 0:
		return &OptionError{"Backoff.Max", "must not be negative"}
	case b.Multiplier != 0 && b.Multiplier < 1:
		return &OptionError{"Backoff.Multiplier", "must be at least 1"}
	case b.Jitter < 0 || b.Jitter > 1:
		return &OptionError{"Backoff.Jitter", "must be between 0 and 1"}
	}
	b = b.withDefaults()
	if b.Initial > b.Max {
		return &OptionError{"Backoff.Initial", "must not exceed Backoff.Max"}
	}
	return nil
}

// Ceiling is the largest wait before retry number attempt (1-based):
// min(Max, Initial × Multiplier^(attempt-1)). With the defaults:
//
//	attempt   1    2    3    4    5     6+
//	ceiling   1s   2s   4s   8s   16s   30s
func (b Backoff) Ceiling(attempt int) time.Duration {
	b = b.withDefaults()
	if attempt < 1 {
		attempt = 1
	}
	d := float64(b.Initial)
	for i := 1; i < attempt && d < float64(b.Max); i++ {
		d *= b.Multiplier
	}
	if d > float64(b.Max) {
		d = float64(b.Max)
	}
	return time.Duration(d)
}

// Delay is the wait before retry number attempt, a pure function of its
// inputs: r is a uniform random number in [0, 1). With full jitter the wait
// is r × Ceiling(attempt), so it lies in [0, 1s), [0, 2s), … [0, 30s), and
// jitter stays on at the cap (a fixed 30 s would re-synchronize a herd).
// With Jitter j the wait is Ceiling × (1 - j + j×r).
func (b Backoff) Delay(attempt int, r float64) time.Duration {
	b = b.withDefaults()
	c := float64(b.Ceiling(attempt))
	return time.Duration(c*(1-b.Jitter) + c*b.Jitter*clamp01(r))
}

func clamp01(r float64) float64 {
	switch {
	case r < 0:
		return 0
	case r >= 1:
		return 0.9999999
	}
	return r
}
