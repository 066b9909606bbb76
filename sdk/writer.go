package sdk

// The open connection's writer goroutine exists only while the connection
// sends: an idle connection holds none (issue 13: goroutines per idle
// connection). The queue starts it when an item becomes sendable (push;
// rewind in resume mode). Once the queue is drained it parks, so a
// connection that sends now and then does not pay a goroutine start per
// message; a heartbeat tick that finds it parked and unused since the last
// one retires it (retireIdleWriter). Without a heartbeat it exits as soon
// as the queue is drained. Parking, waking and retiring happen under the
// queue's lock, so no item is left without a writer and at most one writer
// takes items: order holds.

// attachWriter lets the queue start the connection's writer with start
// (which must not block), handing it the channel that wakes it (nil when
// it does not linger); one starts
// at once if something is waiting. linger: park when drained.
func (q *sendQueue) attachWriter(linger bool, start func(wake chan struct{})) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.startWriter, q.linger = start, linger
	q.writing, q.parked, q.wake = false, false, nil
	q.kickLocked()
}

// detachWriter: no writer starts from now on. The caller then ends the
// connection's ctx and waits for the writer (serve's WaitGroup): start
// counts it before detachWriter returns.
func (q *sendQueue) detachWriter() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.startWriter = nil
}

// kickLocked wakes the parked writer, or starts one if none runs, when a
// connection is open and an item is waiting to be sent. Called with mu
// held.
func (q *sendQueue) kickLocked() {
	if q.startWriter == nil || !q.sendableLocked() {
		return
	}
	if !q.writing {
		q.writing, q.parked = true, false
		q.wake = nil
		if q.linger { // its own channel: a retired writer can tell
			q.wake = make(chan struct{}, 1)
		}
		q.startWriter(q.wake)
		return
	}
	if q.parked {
		q.parked = false
		q.wake <- struct{}{} // room: one token per park
	}
}

// retireIdleWriter ends a parked writer that took nothing since the last
// call: the connection went idle.
func (q *sendQueue) retireIdleWriter() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.writing && q.parked && !q.used {
		q.writing, q.parked = false, false
		q.wake <- struct{}{}
		q.wake = nil // the writer sees it is retired
	}
	q.used = false
}

// sendableLocked: next would return an item.
func (q *sendQueue) sendableLocked() bool {
	if q.rq != nil {
		return q.rq.sent-q.rq.acked < uint64(q.len())
	}
	return q.len() > 0
}

// next returns the item to write. When there is none it parks the writer
// (park true: wait on wake, then call next again) or, not lingering, lets
// it go, in the same critical section as the check.
func (q *sendQueue) next() (m outMsg, ok, park bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.rq != nil {
		m, ok = q.resumeFront()
	} else if q.len() > 0 {
		m, ok = q.items[q.head], true
	}
	switch {
	case ok:
		q.used = true
	case q.linger:
		q.parked = true
		return m, false, true
	default:
		q.writing = false
	}
	return m, ok, false
}

// woken says whether a writer woken on wake is still the writer.
func (q *sendQueue) woken(wake chan struct{}) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.wake == wake
}
