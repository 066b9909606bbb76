package sdk_test

import (
	"testing"
	"time"

	"github.com/redial-ws/redial/sdk"
)

func TestBackoffCeilingTable(t *testing.T) {
	var b sdk.Backoff // defaults: 1 s, ×2, 30 s
	want := []time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second}
	for i, w := range want {
		if got := sdk.Ceiling(b, i+1); got != w {
			t.Errorf("Ceiling(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := sdk.Ceiling(b, 1000); got != 30*time.Second {
		t.Errorf("Ceiling(1000) = %v, want the 30 s cap (no overflow)", got)
	}
}

func TestBackoffFullJitterSpansWholeWindowAtCap(t *testing.T) {
	var b sdk.Backoff
	if got := b.Delay(10, 0); got != 0 {
		t.Errorf("Delay(10, r=0) = %v, want 0: full jitter starts at zero", got)
	}
	if got := b.Delay(10, 0.5); got != 15*time.Second {
		t.Errorf("Delay(10, r=0.5) = %v, want 15s: jitter stays on at the cap", got)
	}
	if got := b.Delay(3, 0.999); got >= 4*time.Second || got < 3990*time.Millisecond {
		t.Errorf("Delay(3, r≈1) = %v, want just under 4s", got)
	}
}

func TestBackoffPartialAndNoJitter(t *testing.T) {
	b := sdk.Backoff{Initial: 100 * time.Millisecond, Max: time.Second, Multiplier: 3, Jitter: 0.5}
	// attempt 2: ceiling 300ms; half fixed, half random.
	if got := b.Delay(2, 0); got != 150*time.Millisecond {
		t.Errorf("Delay(2, 0) = %v, want 150ms", got)
	}
	nb := sdk.Backoff{Initial: 100 * time.Millisecond, NoJitter: true}
	if got := nb.Delay(3, 0.7); got != 400*time.Millisecond {
		t.Errorf("NoJitter Delay(3) = %v, want 400ms", got)
	}
}
