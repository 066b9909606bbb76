package sdk

// The open connection's writer runs only while the send queue has
// something to send on it: an idle connection holds no writer goroutine
// (issue 13: goroutines per idle connection). The queue starts it when an
// item becomes sendable (push; rewind in resume mode) and it exits, under
// the queue's lock, when it finds nothing to send, so no item is left
// without a writer and there is never more than one: order holds.

// attachWriter lets the queue start the connection's writer with start
// (which must not block); one starts at once if something is waiting.
func (q *sendQueue) attachWriter(start func()) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.startWriter, q.writing = start, false
	q.kickLocked()
}

// detachWriter: no writer starts from now on. The caller then waits for
// the one that may be running (serve's WaitGroup): attachWriter's start
// counts it before detachWriter returns.
func (q *sendQueue) detachWriter() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.startWriter = nil
}

// kickLocked starts the writer if a connection is open, none runs and an
// item is waiting to be sent. Called with mu held.
func (q *sendQueue) kickLocked() {
	if q.startWriter == nil || q.writing || !q.sendableLocked() {
		return
	}
	q.writing = true
	q.startWriter()
}

// sendableLocked: front would return an item.
func (q *sendQueue) sendableLocked() bool {
	if q.rq != nil {
		return q.rq.sent-q.rq.acked < uint64(q.len())
	}
	return q.len() > 0
}

// next is front for the writer: when nothing is left it records, in the
// same critical section, that the writer is gone, so the next push starts
// another.
func (q *sendQueue) next() (outMsg, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var m outMsg
	ok := false
	if q.rq != nil {
		m, ok = q.resumeFront()
	} else if q.len() > 0 {
		m, ok = q.items[q.head], true
	}
	if !ok {
		q.writing = false
	}
	return m, ok
}
