package sdk

// carry keeps messages a connection received but could not hand over
// before it ended (after any kept before: order holds) and hands them to
// the app: what fits in the incoming buffer at once, the rest from a
// carrier goroutine as the app reads. So a reader gets them without
// waiting for the next connection (a backoff, a dial), and the browser
// shim's page gets most of them before the close event. The next
// connection's reader starts only once the carrier is done (see
// deliverCarried); the carrier alone moves carried messages while it runs.
// Called by the supervisor's goroutines only, when no reader feeds
// incoming: the ending reader itself (also one draining to the close frame
// after the writer failed: it then feeds incoming only through carry), or
// serve after it ended.
func (c *Conn) carry(ms []inMsg) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.carried = append(c.carried, ms...)
	if c.carrierDone != nil {
		select {
		case <-c.carrierDone:
		default:
			return // the running carrier takes them too
		}
	}
	for len(c.carried) > 0 {
		select {
		case c.incoming <- c.carried[0]:
			c.carried = c.carried[1:]
			continue
		default:
		}
		done := make(chan struct{})
		c.carrierDone = done
		go c.carrier(done)
		return
	}
	c.carried = nil
}

// carrier moves carried messages into incoming as the app reads, until none
// is left or the Conn ends (Read then takes the rest from carried).
func (c *Conn) carrier(done chan struct{}) {
	defer close(done)
	for {
		c.mu.Lock()
		if len(c.carried) == 0 {
			c.carried = nil
			c.mu.Unlock()
			return
		}
		m := c.carried[0]
		c.mu.Unlock()
		select {
		case c.incoming <- m:
			c.mu.Lock()
			c.carried = c.carried[1:]
			c.mu.Unlock()
		case <-c.life.Done():
			return
		}
	}
}

// waitCarrier returns once no carrier runs: the next reader must not pass
// carried messages, nor may Read take them after the final close while the
// carrier may still put one into incoming.
func (c *Conn) waitCarrier(ctx <-chan struct{}) bool {
	c.mu.Lock()
	done := c.carrierDone
	c.mu.Unlock()
	if done == nil {
		return true
	}
	select {
	case <-done:
		return true
	case <-ctx:
		return false
	}
}
