package sdk

import (
	"errors"
	"sync"
	"time"
)

// readerGrace bounds how long a connection whose write failed waits for its
// reader to report how it ended: as long as the close handshake may take
// (closeHandshakeTimeout, 2 s). A failed write says the socket is going,
// not why: the server may have sent messages and a close frame (a final
// 1008, say) that the reader has yet to read. Natively coder/websocket
// answers a close frame and closes the socket before its Read returns the
// close, so the writer fails first; in the browser readyState leaves OPEN
// before the close event (and the message events queued ahead of it) are
// dispatched. Only a reader that reports nothing within the bound leaves
// the write's error (a 1006) to decide.
const readerGrace = closeHandshakeTimeout

// writeFailure marks the writer's error on serve's ended channel. The
// message whose write failed stays at the head of the send queue
// (writeLoop pops only after a write succeeded), so it goes out first on
// the next connection.
type writeFailure struct{ err error }

func (w *writeFailure) Error() string { return w.err.Error() }
func (w *writeFailure) Unwrap() error { return w.err }

// connEnd decides how one connection ended. The reader runs on serve's
// goroutine; the writer and the heartbeat report their failures here, and
// the reader's account wins over theirs:
//   - the writer's failure: the reader gets readerGrace to report (drain
//     is closed so that a reader waiting for a slow app reads on, keeping
//     what it reads, to the close frame); its error (the server's close
//     code and reason, a local 1009) decides, else the heartbeat's verdict
//     if one came meanwhile, else the write error;
//   - the heartbeat's verdict ends the connection at once (kill); a close
//     frame the reader got at the same moment still wins (the peer spoke:
//     it was alive, and said why it left).
//
// When the app calls Close or Dial's ctx ends, serve uses neither account.
type connEnd struct {
	kill   func() // ends the connection: cancels its ctx, aborts the transport
	mu     sync.Mutex
	drain  chan struct{} // made by drained; closed, or closedChan, once drain is due
	due    bool          // drain is due: the writer failed
	first  error         // the writer's or the heartbeat's failure, the first one
	beat   error         // the heartbeat's verdict during the writer's grace
	killed bool          // kill was called for first (or beat): the reader's 1006 echoes it
	done   bool          // settled: later failures are the connection's teardown
	grace  *time.Timer
}

func newConnEnd(kill func()) *connEnd {
	return &connEnd{kill: kill}
}

// drained is closed once the writer failed: a reader waiting for a slow
// app reads on (see connEnd). Made only when asked for: a reader asks only
// when the app is slow, so most connections never make it.
func (e *connEnd) drained() <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.drain == nil {
		if e.due {
			return closedChan
		}
		e.drain = make(chan struct{})
	}
	return e.drain
}

// fail reports the writer's (*writeFailure) or the heartbeat's failure.
func (e *connEnd) fail(err error) {
	if e.record(err) {
		e.kill() // outside mu: an abort may take a moment
	}
}

// record notes err and says whether the connection must end now.
func (e *connEnd) record(err error) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, write := err.(*writeFailure)
	switch {
	case e.done || e.killed:
		return false
	case e.first == nil:
		e.first = err
		if write {
			e.due = true
			if e.drain != nil {
				close(e.drain)
			}
			e.grace = time.AfterFunc(readerGrace, e.giveUp)
			return false
		}
	case write:
		return false
	default:
		e.beat = err
	}
	e.killed = true
	return true
}

// giveUp: the reader did not report within readerGrace of a failed write.
func (e *connEnd) giveUp() {
	e.mu.Lock()
	if e.done || e.killed {
		e.mu.Unlock()
		return
	}
	e.killed = true
	e.mu.Unlock()
	e.kill()
}

// settle returns how the connection ended, given the reader's error (nil
// when it stopped because the connection's ctx ended). Called once every
// goroutine of the connection returned.
func (e *connEnd) settle(readErr error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.done = true
	if e.grace != nil {
		e.grace.Stop()
	}
	if e.first == nil || (readErr != nil && (!e.killed || peerSpoke(readErr))) {
		return readErr
	}
	if e.beat != nil {
		return e.beat
	}
	if wf, ok := e.first.(*writeFailure); ok {
		return wf.err
	}
	return e.first
}

// peerSpoke: err is a close frame the reader got (or its own 1009), not
// the 1006 of a connection that was cut.
func peerSpoke(err error) bool {
	var ce *CloseError
	return errors.As(err, &ce) && ce.Code != StatusAbnormalClosure
}
