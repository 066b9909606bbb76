package sdk

import (
	"time"

	"github.com/redial-ws/redial/internal/sdkhooks"
)

// stopper is a timer that runs a function: Stop reports whether it
// stopped it before the function started.
type stopper interface{ Stop() bool }

// afterFunc runs f in its own goroutine once d passed on clk. On the real
// clock that is time.AfterFunc: nothing waits meanwhile, so an idle
// connection's heartbeat costs no goroutine. An injected clock (tests)
// has only channel timers: a goroutine waits on one.
func afterFunc(clk sdkhooks.Clock, d time.Duration, f func()) stopper {
	if _, ok := clk.(realClock); ok {
		return time.AfterFunc(d, f)
	}
	t := clk.NewTimer(d)
	s := &chanStopper{t: t, stop: make(chan struct{})}
	go func() {
		select {
		case <-t.C():
			f()
		case <-s.stop:
		}
	}()
	return s
}

type chanStopper struct {
	t    sdkhooks.Timer
	stop chan struct{}
}

func (s *chanStopper) Stop() bool {
	if !s.t.Stop() {
		return false // fired: f runs
	}
	close(s.stop)
	return true
}

// schedule arms the next tick, unless the heartbeat was stopped. The
// tick counts in the connection's WaitGroup from now until it returns, so
// serve's Wait covers it (the Add happens under mu, before stop).
func (b *beat) schedule() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return
	}
	b.wg.Add(1)
	b.timer = afterFunc(b.c.cfg.clock, b.iv, func() {
		defer b.wg.Done()
		b.mu.Lock() // orders this tick after the one that scheduled it
		stopped := b.stopped
		b.mu.Unlock()
		if !stopped {
			b.tick()
		}
	})
}

// stop: no tick starts from now on; one that runs ends with the
// connection's ctx (the caller cancels it, then waits for the WaitGroup).
func (b *beat) stop() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stopped = true
	if b.timer != nil && b.timer.Stop() {
		b.wg.Done() // the tick it would have run
	}
}
