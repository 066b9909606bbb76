package sdk

import "github.com/redial-ws/redial/internal/resumewire"

// resumeCursor makes the send queue the resume protocol's send window
// (Options.Resume): an item stays in the queue, counted against
// MaxQueued and MaxQueuedBytes, until the server acknowledges it, so the
// one bound the app configured covers everything not yet delivered, and
// Write's backpressure (open and full: wait) and ErrQueueFull (down and
// full) work as in plain mode. items[head] has seq acked+1.
type resumeCursor struct {
	acked   uint64 // the server acknowledged every seq up to here
	sent    uint64 // written on the current connection up to here (≥ acked)
	front   uint64 // seq of the item front returned last: the one being written
	maxSent uint64 // highest seq ever handed to a transport in the session
}

// resumeFront returns the oldest item not yet written on this connection.
// Called with mu held, by the one writer.
func (q *sendQueue) resumeFront() (outMsg, bool) {
	r := q.rq
	off := r.sent - r.acked
	if off >= uint64(q.len()) {
		return outMsg{}, false
	}
	r.front = r.sent + 1
	return q.items[q.head+int(off)], true
}

// resumePop records that the item front returned was written. It stays
// queued until acknowledged. An ACK may have covered it meanwhile (ack
// moved sent past it already), hence max.
func (q *sendQueue) resumePop() {
	r := q.rq
	r.sent = max(r.sent, r.front)
}

// sending returns the seq of the item front returned last (the writer is
// about to put it on the wire) and records it as sent in the session, so
// an ACK up to it is valid from now on.
func (q *sendQueue) sending() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	r := q.rq
	r.maxSent = max(r.maxSent, r.front)
	return r.front
}

// ack releases every item up to seq n, cumulative (docs/resume.md,
// "Acknowledgements"): an ACK at or below an earlier one is ignored, one
// for a seq never sent is resumewire.ErrAckAhead. The server may
// acknowledge what an earlier connection carried and this one has not
// replayed yet (its handler read it from its own buffer): sent moves past
// it, so it is not written again.
func (q *sendQueue) ack(n uint64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.ackLocked(n)
}

func (q *sendQueue) ackLocked(n uint64) error {
	r := q.rq
	if n > r.maxSent {
		return resumewire.ErrAckAhead
	}
	if n <= r.acked {
		return nil
	}
	q.dropHead(min(int(n-r.acked), q.len()))
	r.acked = n
	r.sent = max(r.sent, n)
	return nil
}

// rewind starts a connection: the server delivered everything up to n
// (WELCOME), which acknowledges it; everything after is written again, in
// order, before anything new. It returns ErrAckAhead for an n beyond any
// seq sent, and errBehindAck when the server delivered less than it had
// already acknowledged: it lost its state, and the frames between are gone
// from here (released on its ack), so the session cannot go on.
func (q *sendQueue) rewind(n uint64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if n < q.rq.acked {
		return errBehindAck
	}
	if err := q.ackLocked(n); err != nil {
		return err
	}
	q.rq.sent = q.rq.acked
	q.kickLocked()
	return nil
}
