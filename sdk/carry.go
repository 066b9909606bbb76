package sdk

// carry keeps messages a connection received but could not hand over
// before it ended (after any kept before: order holds) and hands them to
// the app: what fits in the incoming buffer at once, the rest in carried,
// which Read takes from once incoming is empty. So every message of a
// connection that ended is ready for Read before the event of its end is
// queued (see Read), without waiting for the next connection (a backoff, a
// dial), and the browser shim's page gets all of them before the close
// event. The next connection's reader starts only once carried is empty
// (see deliverCarried).
//
// Invariant: whatever is in incoming is older than whatever is in
// carried. Only carry adds to carried, and it fills incoming first while
// carried is empty; nothing else feeds incoming while carried is not
// empty: carry is called by the supervisor's goroutines only, when no
// reader feeds incoming (the ending reader itself, also one draining to
// the close frame after the writer failed, which then feeds incoming only
// through carry; or serve after it ended), and the next reader waits.
func (c *Conn) carry(ms []inMsg) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.carried) == 0 && len(ms) > 0 {
		in := c.inboxMadeNowLocked()
	fill:
		for len(ms) > 0 {
			select {
			case in <- ms[0]:
				ms = ms[1:]
			default:
				break fill
			}
		}
	}
	if len(ms) == 0 {
		return
	}
	c.carried = append(c.carried, ms...)
	if c.carriedOut == nil {
		c.carriedOut = make(chan struct{})
	}
	c.kickReader()
}

// take returns the oldest ready message, from incoming, else carried; it
// never waits.
func (c *Conn) take() (inMsg, bool) {
	select {
	case m := <-c.inbox(): // nil (none yet): default
		return m, true
	default:
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case m := <-c.inbox(): // carry filled it meanwhile: older than carried
		return m, true
	default:
	}
	if len(c.carried) == 0 {
		return inMsg{}, false
	}
	m := c.carried[0]
	c.carried[0] = inMsg{}
	c.carried = c.carried[1:]
	if len(c.carried) == 0 {
		c.carried = nil
		close(c.carriedOut)
		c.carriedOut = nil
	} else {
		c.kickReader() // another Read may wait: it takes the next
	}
	return m, true
}

// kickReader wakes one Read waiting for incoming: carried has messages.
// Called with mu held.
func (c *Conn) kickReader() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// waitCarried returns true once carried is empty, false if stop ends first.
func (c *Conn) waitCarried(stop <-chan struct{}) bool {
	c.mu.Lock()
	out := c.carriedOut
	c.mu.Unlock()
	if out == nil {
		return true
	}
	select {
	case <-out:
		return true
	case <-stop:
		return false
	}
}
