package sdk

// The incoming buffer (incomingBuffer messages, about 600 bytes) is made
// with the first message a Conn receives, not with the Conn: a connection
// that never received one (an idle subscriber, say) holds none. Until then
// a waiting Read waits on inboxMade, which the buffer's making closes, so
// every Read waiting then sees it (bench/cmd/idlemem: 512 bytes less per
// idle connection).

// inbox returns the incoming buffer, nil until the first message came.
func (c *Conn) inbox() chan inMsg {
	if p := c.incoming.Load(); p != nil {
		return *p
	}
	return nil
}

// inboxToWait returns the incoming buffer, or, while there is none yet,
// a channel closed once there is.
func (c *Conn) inboxToWait() (chan inMsg, <-chan struct{}) {
	if in := c.inbox(); in != nil {
		return in, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if in := c.inbox(); in != nil {
		return in, nil
	}
	if c.inboxMade == nil {
		c.inboxMade = make(chan struct{})
	}
	return nil, c.inboxMade
}

// inboxMadeNow returns the incoming buffer, made now if it was not. Only
// the supervisor's goroutines send (see carry); the close flush in resume
// mode receives (closeDiscard).
func (c *Conn) inboxMadeNow() chan inMsg {
	if in := c.inbox(); in != nil {
		return in
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.inboxMadeNowLocked()
}

func (c *Conn) inboxMadeNowLocked() chan inMsg {
	if in := c.inbox(); in != nil {
		return in
	}
	in := make(chan inMsg, incomingBuffer)
	c.incoming.Store(&in)
	if c.inboxMade != nil {
		close(c.inboxMade)
		c.inboxMade = nil
	}
	return in
}
