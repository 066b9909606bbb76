package sdk

import (
	"context"
	"errors"
	"sync"
)

// heartbeat keeps a quiet connection honest. Every interval it checks the
// wall clock: a gap of more than two intervals means the machine slept (or
// a tab was frozen) and the socket is presumed dead, whatever the kernel
// thinks; Go's timers run on the monotonic clock, which stops during
// suspend, so the gap shows only in wall time. Where the platform can
// ping, each tick sends one; two ticks with a ping still unanswered
// declare the connection dead, unless the app is not reading (then the
// pong cannot be read either, and a slow app is not a dead peer).
func (c *Conn) heartbeat(ctx context.Context, t transport, ended chan<- error, wg *sync.WaitGroup) {
	iv := c.cfg.heartbeat
	clk := c.cfg.clock
	last := clk.Now().Round(0) // Round(0) drops the monotonic reading
	pong := make(chan error, 1)
	canPing, outstanding, missed := true, false, 0
	for {
		timer := clk.NewTimer(iv)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case err := <-pong:
			timer.Stop()
			outstanding = false
			switch {
			case err == nil:
				missed = 0
			case errors.Is(err, errPingUnsupported):
				canPing = false
			}
			// Any other error means the socket failed; the reader reports it.
			continue
		case <-timer.C():
		}
		select { // a pong that raced the tick counts
		case err := <-pong:
			outstanding = false
			if err == nil {
				missed = 0
			}
		default:
		}
		now := clk.Now().Round(0)
		if gap := now.Sub(last); gap > 2*iv {
			ended <- wrap(ErrHeartbeatTimeout.Error()+": "+dur(gap)+" passed during a "+dur(iv)+
				" heartbeat interval (the machine slept or the tab was frozen)", ErrHeartbeatTimeout)
			return
		}
		last = now
		if !canPing {
			continue
		}
		if c.appBlocked.Load() {
			// The reader waits for the app, so nobody reads the socket and
			// the pong cannot be seen: no evidence either way.
			missed = 0
			continue
		}
		if outstanding {
			if missed++; missed >= missedPingsDead {
				ended <- wrap(ErrHeartbeatTimeout.Error()+": "+itoa(missed)+" pings unanswered, "+dur(iv)+" apart", ErrHeartbeatTimeout)
				return
			}
			continue
		}
		outstanding = true
		wg.Go(func() { pong <- t.ping(ctx) })
	}
}
