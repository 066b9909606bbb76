//go:build js

package sdk

import (
	"context"
	"time"
)

// Pacing the writer of browserTransport: it yields to the event loop after
// a long streak of writes, and waits while the browser's send buffer is
// full.

// sendHighWater is the bufferedAmount above which write waits for the
// browser to drain, so a fast writer cannot grow the tab's memory
// without bound (the browser's send() never refuses).
const sendHighWater = 4 << 20

// A writer that sent yieldWrites messages and then went on for yieldAfter,
// with no turn of the event loop, waits for one (a MessageChannel round),
// so a goroutine that writes without pause cannot starve the page (nor the
// SDK's own reader: onmessage runs only in a turn of the event loop). The
// count keeps an app that sends a few messages per event from paying for a
// clock or a yield.
const (
	yieldWrites     = 128
	yieldAfter      = 3 * time.Millisecond
	yieldCheckEvery = 16 // writes between two looks at the clock
)

// maybeYield waits for a turn of the event loop when the writer has been
// sending for a while without one: yieldWrites messages and yieldAfter. Only
// writeLoop calls write, so the streak fields need no lock.
func (t *browserTransport) maybeYield(ctx context.Context) error {
	if t.cfg.NoWriteYield {
		return nil
	}
	if turns := t.turns.Load(); turns != t.streakTurns {
		t.streakTurns, t.streakWrites = turns, 0
	}
	if t.streakWrites++; t.streakWrites < yieldWrites || t.streakWrites%yieldCheckEvery != 0 {
		return nil
	}
	now := time.Now()
	if t.streakWrites == yieldWrites {
		t.streakStart = now
		return nil
	}
	if now.Sub(t.streakStart) < yieldAfter {
		return nil
	}
	t.flush()
	select {
	case <-t.turn: // a stale token: a turn that came before this wait
	default:
	}
	if _, err := t.postFn.Invoke(); err != nil {
		return err
	}
	select {
	case <-t.turn:
	case <-t.closed:
		return errNotOpen
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// waitDrain holds a write while the browser's send buffer is over the
// high-water mark. The browser offers no event for it, so poll briefly.
func (t *browserTransport) waitDrain(ctx context.Context) error {
	for {
		if t.closedFlag.Load() {
			return errNotOpen
		}
		n, err := getInt(t.ws, "bufferedAmount")
		if err != nil {
			return err
		}
		if n <= sendHighWater {
			t.needDrain.Store(false)
			return nil
		}
		select {
		case <-time.After(5 * time.Millisecond):
		case <-t.closed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
