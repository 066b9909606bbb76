package sdk

import "context"

// The app's Close and the Conn's end (kill) are fields under Conn.mu and
// one channel (stopCh, made when first waited on), not contexts. Every context.AfterFunc or child
// context registered on a cancelable context allocates that context's
// children map and done channel, and both stay allocated as long as the
// Conn lives, registration removed or not: as contexts (a life, a close
// context, a context per connection and two AfterFuncs) they held about
// 1.5 KB per idle connection (bench/cmd/idlemem's heap profile). What
// each one interrupted is now called directly:
//
//   - the attempt in flight (dialOnce): its cancel, on Close or kill;
//   - the open connection (serve): its end (connEnd.kill) on kill, its
//     close (closer) started on Close;
//   - backoff waits (sleep) and Writes waiting for room: stopCh.

// requestCloseLocked records the app's Close (once, c.mu held), starts
// the open connection's close and returns the cancel of the attempt in
// flight, for the caller to call once c.mu is released.
func (c *Conn) requestCloseLocked(req *closeRequest) context.CancelFunc {
	c.closeReq.Store(req)
	c.stopLocked()
	if cl := c.closer; cl != nil {
		c.closer = nil
		cl.startLocked()
	}
	return c.dialCancel
}

// kill ends the Conn at once (Dial's ctx ended, or the final close): the
// attempt in flight fails, the open connection is aborted, a backoff wait
// ends.
func (c *Conn) kill() {
	c.mu.Lock()
	if c.killed {
		c.mu.Unlock()
		return
	}
	c.killed = true
	c.stopLocked()
	cancel, end := c.dialCancel, c.endCur
	c.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	if end != nil {
		end()
	}
}

func (c *Conn) stopLocked() {
	if !c.stopped {
		c.stopped = true
		if c.stopCh != nil {
			close(c.stopCh)
		}
	}
}

// stopChan returns stopCh, made now if needed (closedChan once stopped).
func (c *Conn) stopChan() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopCh == nil {
		if c.stopped {
			return closedChan
		}
		c.stopCh = make(chan struct{})
	}
	return c.stopCh
}

// isKilled reports whether kill was called.
func (c *Conn) isKilled() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.killed
}

// closeRequested returns the app's Close, once it was called.
func (c *Conn) closeRequested() (*closeRequest, bool) {
	req := c.closeReq.Load()
	return req, req != nil
}

// startDial registers the cancel of an attempt starting now, so that
// Close and kill end it (at once if either came already); endDial
// unregisters it.
func (c *Conn) startDial(cancel context.CancelFunc) {
	c.mu.Lock()
	stopped := c.stopped
	c.dialCancel = cancel
	c.mu.Unlock()
	if stopped {
		cancel()
	}
}

func (c *Conn) endDial() {
	c.mu.Lock()
	c.dialCancel = nil
	c.mu.Unlock()
}
