package sdk

import (
	"context"
	"time"
)

// closeFlushTimeout bounds how long Close waits for queued messages to be
// written before it sends the close frame.
const closeFlushTimeout = 2 * time.Second

// closer runs the app's Close on an open connection, in a goroutine that
// exists only once Close was called.
type closer struct {
	run  func(readerDone <-chan struct{})
	done chan struct{} // made (under Conn.mu) when run starts; closed when it returns
	// readerDone is closed once serve's read returned (readerEnded): made
	// when run starts, so a connection never closed by the app makes
	// none; ended: it returned (both under Conn.mu).
	readerDone chan struct{}
	ended      bool
}

// onClose arms the close of connection t: once the app calls Close it
// flushes what is queued (closeFlushTimeout at most), then runs the close
// handshake, then ends the connection (end.kill), which ends serve's read.
// Close starts it (requestCloseLocked), or onClose does if Close came
// first.
func (c *Conn) onClose(ctx context.Context, t transport, end *connEnd) *closer {
	cl := &closer{run: func(readerDone <-chan struct{}) {
		if c.flushForClose(ctx, readerDone) {
			req, _ := c.closeRequested()
			closeTransport(t, *req)
		}
		end.kill()
	}}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.closeRequested(); ok {
		cl.startLocked()
	} else {
		c.closer = cl
	}
	return cl
}

// startLocked starts the close (Conn.mu held).
func (cl *closer) startLocked() {
	cl.done = make(chan struct{})
	readerDone := closedChan
	if !cl.ended {
		cl.readerDone = make(chan struct{})
		readerDone = cl.readerDone
	}
	go func() {
		defer close(cl.done)
		cl.run(readerDone)
	}()
}

// readerEnded tells cl's close, running or not, that serve's read returned.
func (c *Conn) readerEnded(cl *closer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cl.ended = true
	if cl.readerDone != nil {
		close(cl.readerDone)
	}
}

// closerWait, once the read ended, says whether the app's Close ended the
// connection, and then waits for the close to finish.
func (c *Conn) closerWait(cl *closer) bool {
	c.mu.Lock()
	if c.closer == cl { // Close was not called: it will not run for this connection
		c.closer = nil
		c.mu.Unlock()
		return false
	}
	done := cl.done
	c.mu.Unlock()
	<-done
	return true
}

// flushForClose waits until what is queued was written (in resume mode:
// acknowledged), the connection
// failed, or closeFlushTimeout passed: then (false) the peer took nothing
// for that long, it is not reading, and a close frame would wait behind the
// stuck write and never be read: the caller drops the connection, which
// also releases the stuck write.
func (c *Conn) flushForClose(ctx context.Context, readerDone <-chan struct{}) bool {
	deadline := time.NewTimer(closeFlushTimeout)
	defer deadline.Stop()
	discard := c.closeDiscard()
	for {
		left := c.queue.untilEmpty()
		if left == nil {
			return true
		}
		select {
		case <-discard:
		case <-left:
		case <-readerDone:
			return true
		case <-ctx.Done(): // the writer or the heartbeat ended it
			return true
		case <-deadline.C:
			return false
		}
	}
}
