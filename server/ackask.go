package server

// Asking for acknowledgements (docs/resume.md, "Acknowledgements"): a
// sender's buffer of unacknowledged frames is bounded, and a receiver that
// acks only every AckEvery messages or after AckDelay never acks a window
// that holds fewer messages than AckEvery (large messages: 16 of 64 KiB in
// 1 MiB) until its timer fires, so the sender would stall for AckDelay
// per window. The receiver cannot know the sender's bounds; the sender
// can. So a sender whose buffer is half full sends a PING, and a receiver
// answers a PING with its pending ACK (at once, or as soon as it delivers
// something more) before the PONG. Both are version-1 frames used as
// version 1 allows (a side may ack more often, and may ping at any time):
// a peer that does not ask, or does not answer, falls back to AckEvery /
// AckDelay.
//
// Session.Close asks too: its flush waits until the client acknowledged
// everything written, and the last frames (fewer than the client's
// AckEvery) would otherwise wait for the client's AckDelay timer (50 ms by
// default) on every Close. While it flushes, every frame the client could
// acknowledge is due for a request (one at a time: each ACK wakes the
// writer, which asks again if frames are still unacknowledged).

// askDue reports whether the writer should ask the client for an ACK with
// a PING: the replay buffer is at least half full (count or bytes), the
// client has frames it could acknowledge (sent is beyond what it acked),
// and no earlier request is waiting for its ACK. While Close flushes, any
// unacknowledged frame is enough. It records the request.
func (c *conn) askDue(sent uint64) bool {
	s := c.s
	if c.asked.Load() || sent <= s.win.Acked() {
		return false
	}
	n, b := s.win.Len()
	opts := &s.srv.opts
	if !s.flushing.Load() && 2*n < opts.MaxUnacked && 2*b < opts.MaxUnackedBytes {
		return false
	}
	return c.asked.CompareAndSwap(false, true)
}
