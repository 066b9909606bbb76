package sdk

import (
	"context"
	"errors"
	"sync"
	"time"
)

// run is the supervisor: the one goroutine that owns the state machine,
// dials, serves each connection and decides, by policy, what follows.
func (c *Conn) run() {
	var (
		attempt      int // consecutive failures since the last stable connection
		authFailures int
		lostAt       = c.cfg.clock.Now()
		pw           = newPlatformWatch(c.cfg.log)
	)
	defer pw.stop()
	for {
		t, err := c.dialOnce(attempt)
		if err == nil {
			authFailures = 0
			openedAt := c.cfg.clock.Now()
			var userClose bool
			err, userClose = c.serve(t, attempt)
			if userClose {
				c.finish(nil, true)
				return
			}
			lostAt = c.cfg.clock.Now()
			if lostAt.Sub(openedAt) >= c.cfg.StableAfter {
				attempt = 0
			}
		}
		if _, ok := c.closeRequested(); ok {
			c.finish(nil, true)
			return
		}
		if c.isKilled() { // Dial's ctx ended
			c.finish(err, false)
			return
		}
		c.mu.Lock()
		c.lastErr = err
		c.mu.Unlock()

		attempt++
		rc := c.retryContext(err, attempt, lostAt, &authFailures)
		delay, retry, panicErr := c.cfg.policy(rc)
		if panicErr != nil {
			err = panicErr
		}
		if retry {
			err, retry = c.checkBudget(err, attempt, rc.Elapsed, delay)
		}
		c.cfg.log.Debug("redial: attempt failed", "attempt", attempt, "err", err, "retry", retry, "delay", delay)
		if !retry {
			c.finish(err, false)
			return
		}
		c.transition(StateReconnecting, StateChange{Attempt: attempt, Delay: delay, Err: err, Close: asClose(err)})
		c.connGone()
		if !c.sleep(delay, pw) {
			c.finish(nil, true)
			return
		}
	}
}

// sleep waits out a backoff delay on the injected clock. It returns false
// when the app closed the Conn meanwhile. The platform may cut the wait
// short (the browser came back online or the tab became visible) or
// stretch it (offline: no point dialing without a network).
func (c *Conn) sleep(d time.Duration, pw platformWatch) bool {
	timer := c.cfg.clock.NewTimer(d)
	defer timer.Stop()
	waitOn := timer.C()
	stop := c.stopChan()
	for {
		select {
		case <-waitOn:
			if !pw.offline() {
				return true
			}
			// Offline: wait for the network rather than dial into nothing.
			c.cfg.log.Debug("redial: offline, waiting for the network")
			waitOn = nil
		case <-pw.wake():
			return true
		case <-stop: // Close (false) or kill (true: run sees it)
			_, closing := c.closeRequested()
			return !closing
		}
	}
}

// connGone tells Writes waiting for room that the connection which ended
// will not take their messages: called once the policy decided (see
// Write), so that none reports ErrQueueFull for a close that is final.
func (c *Conn) connGone() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.up = false
	if c.down != nil {
		close(c.down)
		c.down = nil
	}
}

// dialOnce makes one attempt, bounded by DialTimeout, and by Close.
func (c *Conn) dialOnce(attempt int) (transport, error) {
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.DialTimeout)
	defer cancel()
	c.startDial(cancel) // Close and kill cancel it
	defer c.endDial()
	if _, closing := c.closeRequested(); closing {
		return nil, ErrClosed
	}
	c.stats.attempts.Add(1)
	u := c.url
	if c.cfg.URLFunc != nil {
		var err error
		if u, err = c.cfg.URLFunc(ctx); err != nil {
			return nil, redactWrap("redial: Options.URLFunc", err)
		}
		if u, err = normalizeURL(u); err != nil {
			return nil, err
		}
	}
	header := c.cfg.Header
	if c.cfg.HeaderFunc != nil {
		h, err := c.cfg.HeaderFunc(ctx)
		if err != nil {
			return nil, redactWrap("redial: Options.HeaderFunc", err)
		}
		header = mergeHeader(header, h)
	}
	c.cfg.log.Debug("redial: dialing", "url", RedactURL(u), "attempt", attempt)
	t, err := c.dialFn(ctx, u, c.cfg, header)
	if err != nil {
		_, closing := c.closeRequested()
		timedOut := errors.Is(ctx.Err(), context.DeadlineExceeded) && !closing
		return nil, dialFailure(u, err, timedOut, c.cfg.DialTimeout)
	}
	return t, nil
}

// serve runs one open connection until it ends. Its own goroutine is the
// reader; a writer goroutine runs while there is something to send
// (writer.go), the heartbeat on timers (beat_timer.go), and the app's
// Close in a goroutine of its own (closeflush.go): an idle connection
// holds this one goroutine. The writer and the heartbeat report failures
// to a connEnd, which ends the connection so that the read returns. It
// returns the failure, or userClose.
func (c *Conn) serve(t transport, attempt int) (err error, userClose bool) {
	// Not derived from another context: kill ends it (endCur), stop.go.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	end := newConnEnd(func() { cancel(); t.abort() })
	var hs hsRecord
	if r, ok := t.(interface{ handshakeRecord() hsRecord }); ok {
		hs = r.handshakeRecord()
	} else {
		hs = packHandshake(t.handshake())
	}
	c.mu.Lock()
	c.hs = hs
	c.cur = t
	c.up = true
	c.endCur = end.kill
	killed := c.killed
	c.mu.Unlock()
	if killed { // Dial's ctx ended meanwhile
		end.kill()
	}
	ev := StateChange{Attempt: attempt}
	if c.cfg.OnStateChange != nil { // else no one sees it: no copy to make
		evHS := hs.handshake()
		ev.Handshake = &evHS
	}
	c.transition(StateOpen, ev)
	// This connection's messages go to the app only after the events so
	// far (the open, the previous connection's end) were delivered: see
	// Read. The reader starts after the open was queued.
	gate := c.events.mark()
	var wg sync.WaitGroup
	runWriter := func() { // made once: a writer that does not park (no
		// heartbeat to retire it) starts per burst, allocating nothing
		defer wg.Done()
		c.writeLoop(ctx, t, end.fail, nil)
	}
	c.queue.attachWriter(c.cfg.heartbeat > 0, func(wake chan struct{}) {
		wg.Add(1)
		if wake == nil {
			go runWriter()
			return
		}
		go func() {
			defer wg.Done()
			c.writeLoop(ctx, t, end.fail, wake)
		}()
	})
	var hb *beat
	if c.cfg.heartbeat > 0 {
		hb = c.startHeartbeat(ctx, t, end.fail, &wg)
	}
	closer := c.onClose(ctx, t, end)
	c.mu.Lock()
	if c.opened != nil { // Dial waits: it keeps its own reference
		close(c.opened)
		c.opened = nil
	}
	c.mu.Unlock()
	// down stays open until the verdict (connGone): a Write waiting for
	// room must not report ErrQueueFull for a close that turns out final.
	defer func() {
		c.mu.Lock()
		c.cur = nil
		c.mu.Unlock()
	}()

	readErr := c.readLoop(ctx, t, end, gate)
	c.readerEnded(closer)
	closing := c.closerWait(closer)
	c.mu.Lock()
	c.endCur = nil // kill no longer needs to end it: end.kill follows
	c.mu.Unlock()
	hb.stop()
	c.queue.detachWriter() // no writer starts from now on
	end.kill()
	wg.Wait()
	err = end.settle(readErr)
	switch {
	case closing:
		return nil, true
	case c.isKilled():
		return context.Canceled, false
	}
	c.carry(c.stats.received(t.leftover()))
	return connEndError(err), false
}

// readLoop hands what the connection receives to the app, in order, until
// the read fails (it returns that error) or ctx ends (nil).
func (c *Conn) readLoop(ctx context.Context, t transport, end *connEnd, gate uint64) error {
	// A message the previous connection read but could not hand over goes
	// first, so nothing read from a socket is ever dropped and order holds.
	if !c.deliverCarried(ctx) {
		return nil
	}
	carrying := false // after drain: all goes through carry, so order holds
	var in chan inMsg // the incoming buffer, once made (inbox.go)
	for first := true; ; first = false {
		typ, p, err := t.read(ctx)
		if err != nil {
			return err
		}
		c.stats.in(len(p))
		m := inMsg{typ, p}
		if first && !c.afterEvents(ctx, gate) {
			c.carry([]inMsg{m})
			return nil
		}
		if carrying {
			c.carry([]inMsg{m})
			continue
		}
		if in == nil {
			in = c.inboxMadeNow()
		}
		select {
		case in <- m:
			continue
		default:
		}
		// The app is not reading: wait for it. While waiting nothing reads
		// the socket, so pongs go unprocessed; the heartbeat must not take
		// that for a dead peer (see appBlocked).
		c.appBlocked.Store(true)
		select {
		case in <- m:
			c.appBlocked.Store(false)
		case <-end.drained():
			// The writer failed: read on to the close frame (connEnd),
			// keeping what comes for the app.
			c.appBlocked.Store(false)
			carrying = true
			c.carry([]inMsg{m})
		case <-ctx.Done():
			c.appBlocked.Store(false)
			c.carry([]inMsg{m})
			return nil
		}
	}
}

// deliverCarried waits until what earlier connections received is handed
// over (see carry). Meanwhile the socket is not read, as when the app is
// slow: the heartbeat must not take that for a dead peer.
func (c *Conn) deliverCarried(ctx context.Context) bool {
	c.appBlocked.Store(true)
	defer c.appBlocked.Store(false)
	return c.waitCarried(ctx.Done())
}

// afterEvents waits until the first gate events were delivered to
// OnStateChange, the socket unread meanwhile (see deliverCarried).
func (c *Conn) afterEvents(ctx context.Context, gate uint64) bool {
	c.appBlocked.Store(true)
	defer c.appBlocked.Store(false)
	return c.events.waitDelivered(gate, ctx.Done())
}

// writeLoop sends what is queued, in order, until the connection ends, a
// write fails, or the queue retires it (writer.go).
func (c *Conn) writeLoop(ctx context.Context, t transport, fail func(error), wake chan struct{}) {
	for {
		m, ok, park := c.queue.next()
		if park {
			select {
			case <-wake:
				if !c.queue.woken(wake) {
					return // retired: the connection went idle
				}
				continue
			case <-ctx.Done():
				return
			}
		}
		if !ok {
			return
		}
		if err := t.write(ctx, m.typ, m.p); err != nil {
			// m stays queued (see connEnd), and no writer starts
			// again on this connection.
			fail(&writeFailure{err})
			return
		}
		c.stats.out(len(m.p))
		c.queue.pop()
	}
}

// transition records a state change and queues its event.
func (c *Conn) transition(to State, e StateChange) {
	e.From = State(c.state.Swap(int32(to)))
	c.stats.entered(e.From, to, c.cfg.clock.Now())
	e.To = to
	c.events.push(e)
}

// finish is the final close: it settles the errors Read, Write and Close
// return, drops what is still queued (counted, never silently), and ends
// the event stream with a StateClosed event.
func (c *Conn) finish(cause error, local bool) {
	unsent := c.queue.drain()
	c.mu.Lock()
	if local {
		req, _ := c.closeRequested()
		if cause == nil {
			cause = &CloseError{Code: req.code, Reason: req.reason, Local: true}
		}
		if unsent > 0 {
			c.closeError = &UnsentError{Messages: unsent}
		}
	} else if unsent > 0 {
		c.cfg.log.Warn("redial: final close with messages unsent", "messages", unsent, "err", cause)
	}
	c.finalErr = &finalError{cause: cause}
	c.mu.Unlock()
	ev := StateChange{Final: true, Close: asClose(cause)}
	if !local {
		ev.Err = cause
	}
	c.transition(StateClosed, ev)
	c.connGone()
	c.kill()
	close(c.done)
	c.events.close()
}

func asClose(err error) *CloseError {
	var ce *CloseError
	if errors.As(err, &ce) {
		return ce
	}
	return nil
}

func mergeHeader(base, extra map[string][]string) map[string][]string {
	out := cloneHeader(base)
	if out == nil {
		out = make(map[string][]string, len(extra))
	}
	for k, v := range extra {
		out[k] = append([]string(nil), v...)
	}
	return out
}
