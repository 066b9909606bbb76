package sdk

import "time"

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

// settleEnd decides how a connection ended from the first failure reported
// on ended, the reader's account winning over the others':
//   - the writer's failure: the reader gets readerGrace to report (drain
//     is closed so that a reader waiting for a slow app reads on, keeping
//     what it reads, to the close frame); its error (the server's close
//     code and reason, a local 1009) decides, else the write error does;
//   - the heartbeat's verdict: a close the reader reported at the same
//     moment wins (the peer spoke: it was alive, and said why it left).
//
// It returns early, with the first failure, when the app calls Close or
// Dial's ctx ends: then neither account is used.
func (c *Conn) settleEnd(first error, ended <-chan error, drain chan<- struct{}) error {
	wf, ok := first.(*writeFailure)
	if !ok {
		select {
		case err := <-ended:
			if _, w := err.(*writeFailure); !w {
				return err
			}
		default:
		}
		return first
	}
	close(drain)
	timer := time.NewTimer(readerGrace)
	defer timer.Stop()
	select {
	case err := <-ended: // the reader's, or the heartbeat's (nothing came)
		return err
	case <-timer.C:
	case <-c.closeReqSignal():
	case <-c.life.Done():
	}
	return wf.err
}
