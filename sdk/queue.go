package sdk

import (
	"errors"
	"sync"
)

// errQueueClosed: the Conn reached its final close; nothing more is queued.
var errQueueClosed = errors.New("redial: send queue closed")

// outMsg is one message waiting to be written.
type outMsg struct {
	typ MessageType
	p   []byte
}

// sendQueue is the bounded FIFO every Write goes through, open or not, so
// order holds across reconnects: what was queued while down is flushed
// before anything written later. An item leaves the queue only after the
// transport accepted it; a write that fails leaves it at the head for the
// next connection.
type sendQueue struct {
	mu       sync.Mutex
	items    []outMsg
	head     int
	bytes    int
	maxN     int
	maxBytes int
	space    chan struct{} // made when a writer waits for room; closed when an item leaves
	closed   bool
	// The open connection's writer (writer.go): startWriter starts it (nil
	// while no connection is open); writing: it exists (or failed);
	// parked: it waits on wake; used: it took an item since the last
	// retireIdleWriter; linger: park when drained rather than exit.
	startWriter                   func(wake chan struct{})
	wake                          chan struct{}
	writing, parked, used, linger bool
	// rq is the resume mode's cursor (resume_queue.go); nil otherwise.
	rq *resumeCursor
}

func newSendQueue(maxN, maxBytes int) *sendQueue {
	return &sendQueue{maxN: maxN, maxBytes: maxBytes}
}

// push appends m, or reports ErrQueueFull with a channel that is closed
// when room may have been made.
func (q *sendQueue) push(m outMsg) (<-chan struct{}, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return nil, errQueueClosed
	}
	if q.len() >= q.maxN || q.bytes+len(m.p) > q.maxBytes {
		return q.spaceLocked(), ErrQueueFull
	}
	q.items = append(q.items, m)
	q.bytes += len(m.p)
	q.kickLocked()
	return nil, nil
}

// pop removes the oldest item, which the transport has accepted.
func (q *sendQueue) pop() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.rq != nil {
		q.resumePop()
		return
	}
	if q.len() == 0 {
		return
	}
	q.dropHead(1)
}

// dropHead removes the k oldest items (k ≤ len) and wakes a writer
// waiting for room. Called with mu held.
func (q *sendQueue) dropHead(k int) {
	for range k {
		q.bytes -= len(q.items[q.head].p)
		q.items[q.head] = outMsg{}
		q.head++
	}
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	} else if q.head > 64 && q.head*2 > len(q.items) {
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	if q.space != nil { // made only when someone waits: no allocation per message
		close(q.space)
		q.space = nil
	}
}

// drain empties and closes the queue and says how many messages it held.
func (q *sendQueue) drain() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	n := q.len()
	clear(q.items)
	q.items, q.head, q.bytes = q.items[:0], 0, 0
	return n
}

func (q *sendQueue) size() (n, bytes int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.len(), q.bytes
}

// untilEmpty returns nil when the queue is empty, else a channel closed
// when the next item leaves. One critical section: an item that leaves
// between a separate check and wait would close no channel, and the
// waiter would miss it (Close's flush then waited its full bound).
func (q *sendQueue) untilEmpty() <-chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.len() == 0 {
		return nil
	}
	return q.spaceLocked()
}

func (q *sendQueue) spaceLocked() chan struct{} {
	if q.space == nil {
		q.space = make(chan struct{})
	}
	return q.space
}

func (q *sendQueue) len() int { return len(q.items) - q.head }
