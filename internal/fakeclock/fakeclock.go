// Package fakeclock is a manual clock for tests: time moves only when the
// test says so, so a retry schedule of minutes runs in milliseconds and
// every delay can be asserted exactly.
package fakeclock

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/redial-ws/redial/internal/sdkhooks"
)

// Clock implements sdkhooks.Clock (set it with sdkhooks.Of(opts).Clock).
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	timers  []*timer
	changed chan struct{} // closed and replaced when the timer set changes
}

// New returns a clock that reads start until advanced.
func New(start time.Time) *Clock {
	return &Clock{now: start, changed: make(chan struct{})}
}

type timer struct {
	clk  *Clock
	when time.Time
	d    time.Duration
	c    chan time.Time
}

func (t *timer) C() <-chan time.Time { return t.c }

func (t *timer) Stop() bool {
	t.clk.mu.Lock()
	defer t.clk.mu.Unlock()
	return t.clk.remove(t)
}

// Now is the clock's current time (with no monotonic reading, as a wall
// clock that can jump).
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// NewTimer starts a timer that fires when the clock reaches now+d.
func (c *Clock) NewTimer(d time.Duration) sdkhooks.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &timer{clk: c, when: c.now.Add(d), d: d, c: make(chan time.Time, 1)}
	c.timers = append(c.timers, t)
	c.notify()
	return t
}

// Advance moves the clock by d, firing every timer that comes due, in order.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	sort.SliceStable(c.timers, func(i, j int) bool { return c.timers[i].when.Before(c.timers[j].when) })
	for len(c.timers) > 0 && !c.timers[0].when.After(c.now) {
		t := c.timers[0]
		c.timers = c.timers[1:]
		t.c <- c.now
	}
	c.notify()
}

// Jump moves the clock by d without firing timers: a wall-clock jump, as
// after a laptop wakes from sleep.
func (c *Clock) Jump(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Pending returns the durations the pending timers were started with,
// oldest first.
func (c *Clock) Pending() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]time.Duration, len(c.timers))
	for i, t := range c.timers {
		out[i] = t.d
	}
	return out
}

// WaitFor blocks until some pending timer was started with duration d
// (for instance the supervisor's backoff wait, or the heartbeat's tick).
func (c *Clock) WaitFor(ctx context.Context, d time.Duration) error {
	return c.wait(ctx, func() bool {
		for _, t := range c.timers {
			if t.d == d {
				return true
			}
		}
		return false
	})
}

// WaitTimers blocks until at least n timers are pending.
func (c *Clock) WaitTimers(ctx context.Context, n int) error {
	return c.wait(ctx, func() bool { return len(c.timers) >= n })
}

func (c *Clock) wait(ctx context.Context, ok func() bool) error {
	for {
		c.mu.Lock()
		done, ch := ok(), c.changed
		c.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

func (c *Clock) remove(t *timer) bool {
	for i, x := range c.timers {
		if x == t {
			c.timers = append(c.timers[:i], c.timers[i+1:]...)
			c.notify()
			return true
		}
	}
	return false
}

func (c *Clock) notify() {
	close(c.changed)
	c.changed = make(chan struct{})
}
