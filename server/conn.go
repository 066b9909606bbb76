package server

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/redial-ws/redial/internal/resumewire"
	"github.com/redial-ws/redial/sdk"
)

// conn is one WebSocket connection attached to a resume Session. Its
// reader runs in the ServeHTTP goroutine, its writer in its own.
type conn struct {
	s      *Session
	ws     *websocket.Conn
	ctx    context.Context // ends when the connection is dropped
	cancel context.CancelFunc

	welcome        []byte
	helloDelivered uint64
	sent           atomic.Uint64 // highest seq handed to the socket
	pongs          []uint64      // nonces to answer; guarded by s.mu
	asked          atomic.Bool   // a PING asked the client for an ACK; cleared by its next ACK (ackask.go)

	stopOnce   sync.Once
	stop       chan struct{} // asks the writer to return (graceful close)
	readerDone chan struct{}
	writerDone chan struct{}
}

// readLoop reads frames until the connection drops or the session ends.
// A drop without a close frame detaches the connection (the session waits
// SessionTTL for the client); a close frame from the client ends it.
func (c *conn) readLoop() {
	defer close(c.readerDone)
	s := c.s
	for {
		typ, b, err := c.ws.Read(c.ctx)
		if err != nil {
			var ce websocket.CloseError
			if errors.As(err, &ce) {
				s.end(&CloseError{Code: sdk.StatusCode(ce.Code), Reason: ce.Reason})
			} else {
				c.cancel()
				s.detach(c)
			}
			return
		}
		if typ != websocket.MessageBinary {
			c.fail(sdk.StatusProtocolError, "resume: text message outside a frame")
			return
		}
		f, err := resumewire.Decode(b)
		if err != nil {
			code := sdk.StatusProtocolError
			if errors.Is(err, resumewire.ErrInvalidUTF8) {
				code = sdk.StatusInvalidFramePayloadData
			}
			c.fail(code, err.Error())
			return
		}
		switch f.Kind {
		case resumewire.KindDataText, resumewire.KindDataBinary:
			if code, reason := s.receive(&f); code != 0 {
				c.fail(code, reason)
				return
			}
		case resumewire.KindAck:
			if f.N > c.sent.Load() {
				c.fail(sdk.StatusProtocolError, "resume: ACK of a seq never sent")
				return
			}
			if err := s.acked(f.N); err != nil {
				return
			}
			if c.asked.Swap(false) {
				s.wake() // the writer checks whether to ask again
			}
		case resumewire.KindPing:
			s.mu.Lock()
			c.pongs = append(c.pongs, f.N)
			s.asks++ // a PING asks for the pending ACK (ackask.go)
			s.mu.Unlock()
			s.wake()
		case resumewire.KindPong: // answers a PING that asked for an ACK: nothing to do
		default:
			c.fail(sdk.StatusProtocolError, "resume: unexpected "+resumewire.KindName(f.Kind))
			return
		}
	}
}

// fail ends the session for a protocol violation by the client.
func (c *conn) fail(code sdk.StatusCode, reason string) {
	if len(reason) > 123 {
		reason = reason[:123] // our own ASCII wording: no rune to split
	}
	c.s.end(&CloseError{Code: code, Reason: reason, Local: true})
}

// receive queues a data frame for Read, dropping a replayed duplicate. It
// returns a close code for a gap or an overflowing inbox.
func (s *Session) receive(f *resumewire.Frame) (sdk.StatusCode, string) {
	typ := sdk.MessageBinary
	if f.Kind == resumewire.KindDataText {
		typ = sdk.MessageText
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		// Ended meanwhile (moved, closed): its inbox is closed for good,
		// and the message is not delivered here.
		return 0, ""
	}
	v, err := s.recv.Accept(f.N)
	if err != nil {
		return sdk.StatusProtocolError, err.Error()
	}
	if v == resumewire.Duplicate {
		return 0, ""
	}
	if len(s.inbox) >= maxInbox || s.inboxSize+len(f.Payload) > maxInboxBytes {
		return sdk.StatusPolicyViolation, "resume: client ignores the ack window"
	}
	s.push(message{seq: f.N, typ: typ, payload: f.Payload})
	return 0, ""
}

// acked releases outbound frames ≤ n in the window and the store.
func (s *Session) acked(n uint64) error {
	if _, err := s.win.Ack(n); err != nil {
		return err // unreachable: n ≤ sent ≤ last was checked
	}
	if err := s.srv.opts.Store.Ack(s.ctx, s.idStr, s.epoch, n); err != nil {
		err = wrapStore("Ack", err)
		s.end(err)
		return err
	}
	return nil
}

// writeLoop sends WELCOME, then the replay (every frame after the
// client's delivered counter), then new frames as Write stores them,
// answers pings, acks the client's messages (after AckEvery reads,
// AckDelay, or at once when the client asked with a PING) and asks the
// client for its ACK when the replay buffer is half full (ackask.go), and
// keeps the store's expiry fresh.
func (c *conn) writeLoop() {
	s := c.s
	var endErr error // ends the session after writerDone (shutdown waits for it)
	defer func() {
		if endErr != nil {
			s.end(endErr)
		}
	}()
	defer close(c.writerDone)
	opts := &s.srv.opts
	if err := c.ws.Write(c.ctx, websocket.MessageBinary, c.welcome); err != nil {
		c.cancel()
		return
	}
	sent := c.helloDelivered
	var (
		buf      []byte
		frames   []resumewire.Sent
		ackTimer Timer
		ackC     <-chan time.Time
		ackFired bool
		nonce    uint64 // of the PINGs that ask for an ACK
	)
	touch := opts.Clock.NewTimer(opts.SessionTTL / 3)
	defer func() {
		touch.Stop()
		if ackTimer != nil {
			ackTimer.Stop()
		}
	}()
	write := func(b []byte) bool {
		if err := c.ws.Write(c.ctx, websocket.MessageBinary, b); err != nil {
			c.cancel()
			return false
		}
		return true
	}
	for {
		s.mu.Lock()
		appended, delivered, ackSent, asks := s.appended, s.delivered, s.ackSent, s.asks
		wanted := asks > s.asksDone
		pongs := c.pongs
		c.pongs = nil
		s.mu.Unlock()
		// The ACK goes before the PONGs: a PING asks for it (ackask.go).
		if delivered > ackSent {
			if ackFired || wanted || delivered-ackSent >= uint64(opts.AckEvery) {
				if buf = resumewire.AppendControl(buf[:0], resumewire.KindAck, delivered); !write(buf) {
					return
				}
				s.mu.Lock()
				s.ackSent = delivered
				s.asksDone = asks
				// Read may have delivered more since the snapshot: its
				// wake-up judged by the old ackSent, so it may have
				// skipped the one that starts the AckDelay timer.
				more := s.delivered > delivered
				s.mu.Unlock()
				if more {
					s.wake()
				}
				if ackTimer != nil {
					ackTimer.Stop()
				}
				ackTimer, ackC, ackFired = nil, nil, false
			} else if ackC == nil && !ackFired {
				ackTimer = opts.Clock.NewTimer(opts.AckDelay)
				ackC = ackTimer.C()
			}
		}
		for _, n := range pongs {
			if buf = resumewire.AppendControl(buf[:0], resumewire.KindPong, n); !write(buf) {
				return
			}
		}
		if sent < appended {
			var err error
			frames, err = s.win.From(sent, frames[:0])
			if err != nil {
				c.cancel() // unreachable: the client cannot ack what it never got
				return
			}
			for _, f := range frames {
				if f.Seq > appended {
					break
				}
				// sent moves before the write: the client may ack the
				// frame before Write returns here.
				sent = f.Seq
				c.sent.Store(sent)
				if buf = resumewire.AppendData(buf[:0], f.Kind, f.Seq, f.Payload); !write(buf) {
					return
				}
			}
			clear(frames) // do not pin released payloads
		}
		if c.askDue(sent) {
			nonce++
			if buf = resumewire.AppendControl(buf[:0], resumewire.KindPing, nonce); !write(buf) {
				return
			}
		}
		select {
		case <-s.kick:
		case <-ackC:
			ackTimer, ackC, ackFired = nil, nil, true
		case <-touch.C():
			if err := opts.Store.Touch(s.ctx, s.idStr, s.epoch, opts.SessionTTL); err != nil {
				endErr = wrapStore("Touch", err)
				return
			}
			touch = opts.Clock.NewTimer(opts.SessionTTL / 3)
		case <-c.stop:
			return
		case <-c.ctx.Done():
			return
		}
	}
}

// shutdown closes the connection because the session ended with cause:
// the writer stops, the client gets its pending ACK and the close frame
// cause implies (none when the client closed or the session moved).
func (c *conn) shutdown(cause error) {
	c.stopOnce.Do(func() { close(c.stop) })
	select {
	case <-c.writerDone:
	case <-time.After(2 * time.Second): // a writer stuck on a stalled socket
		c.cancel()
		<-c.writerDone
	}
	code, reason := closeFor(cause)
	if code == 0 {
		c.cancel()
		_ = c.ws.CloseNow()
		return
	}
	s := c.s
	s.mu.Lock()
	delivered, ackSent := s.delivered, s.ackSent
	s.mu.Unlock()
	if delivered > ackSent {
		ctx, cancel := context.WithTimeout(c.ctx, time.Second)
		_ = c.ws.Write(ctx, websocket.MessageBinary, resumewire.AppendControl(nil, resumewire.KindAck, delivered))
		cancel()
	}
	_ = c.ws.Close(websocket.StatusCode(code), reason)
	c.cancel()
}

// closeFor maps a session's end cause to the close frame its client gets
// (0: none).
func closeFor(cause error) (sdk.StatusCode, string) {
	var ce *CloseError
	switch {
	case errors.As(cause, &ce):
		if !ce.Local {
			return 0, ""
		}
		return ce.Code, ce.Reason
	case errors.Is(cause, ErrSessionMoved):
		return 0, ""
	case errors.Is(cause, ErrServerClosed):
		return sdk.StatusServiceRestart, "server closed"
	case errors.Is(cause, ErrStore):
		// The store may still hold the session (a shared store that was
		// briefly unreachable): the client retries, and resumes or gets
		// 4504 from whichever node answers once the store is back.
		return StatusStoreUnavailable, "session store unavailable"
	}
	return StatusSessionLost, "session lost"
}
