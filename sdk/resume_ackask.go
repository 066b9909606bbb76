package sdk

import (
	"context"

	"github.com/redial-ws/redial/internal/resumewire"
)

// Asking the server for an ACK (docs/resume.md, "Acknowledgements"). The
// send window is the send queue (MaxQueued, MaxQueuedBytes), and the
// server acks every AckEvery messages or after AckDelay: a window that
// holds fewer messages than AckEvery (large messages, or a small
// MaxQueued) would fill and wait for the server's timer on every round.
// The server does not know this side's bounds, so this side asks: once the
// queue is half full, with frames on the wire the server could
// acknowledge, it sends a PING, which a server answers with its pending
// ACK (at once, or as soon as its handler reads more) before the PONG.
// One request at a time: the next ACK clears it, and if the queue is
// still half full the next request goes out then. A server that does not
// answer so leaves the old cadence (AckEvery, AckDelay), nothing worse.

// askIfDue sends the PING that asks for an ACK when ackDue says so and no
// request is waiting. Its nonce is from the heartbeat's counter but is not
// awaited: its PONG is ignored.
func (t *resumeTransport) askIfDue(ctx context.Context) {
	if t.asked.Load() || !t.s.q.ackDue() || !t.asked.CompareAndSwap(false, true) {
		return
	}
	t.pmu.Lock()
	t.nonce++
	n := t.nonce
	t.pmu.Unlock()
	_ = t.send(ctx, resumewire.KindPing, n) // a failed socket shows in the next read or write
}

// ackDue reports whether half the send window (MaxQueued or
// MaxQueuedBytes) is taken and the server could acknowledge some of it
// (a frame went on the wire since its last ACK).
func (q *sendQueue) ackDue() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	r := q.rq
	return r.maxSent > r.acked && (2*q.len() >= q.maxN || 2*q.bytes >= q.maxBytes)
}
