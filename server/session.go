package server

import (
	"context"
	"encoding/hex"
	"errors"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/redial-ws/redial/internal/resumewire"
	"github.com/redial-ws/redial/sdk"
)

// Session is one client's logical connection. In resume mode it outlives
// any number of WebSocket connections: Read and Write continue across a
// reconnect, with every message delivered exactly once, in order. A plain
// client's Session is its one WebSocket connection. Safe for concurrent
// use: any number of goroutines may call Read, Write and Close.
type Session struct {
	srv       *Server
	id        resumewire.SessionID
	idStr     string
	plain     bool
	resumed   bool
	principal string
	epoch     uint64

	ctx    context.Context
	cancel context.CancelCauseFunc

	win      *resumewire.Window // outbound, unacknowledged (resume only)
	writeMu  sync.Mutex         // one Write at a time: seq order == store order
	readMu   sync.Mutex         // one Read at a time: delivered order == seq order
	attachMu sync.Mutex         // one attach at a time
	kick     chan struct{}      // cap 1: wakes the attached connection's writer
	flushing atomic.Bool        // Close waits for every ACK: the writer asks for each (ackask.go)

	mu        sync.Mutex
	appended  uint64 // highest outbound seq in the store (the writer sends up to it)
	recv      resumewire.Receiver
	inbox     []message
	inboxSize int           // payload bytes in inbox
	inboxWake chan struct{} // closed and replaced when inbox grows or the session ends
	delivered uint64        // inbound: highest seq Read returned
	ackSent   uint64        // inbound: highest seq acknowledged to the client
	asks      uint64        // PINGs received: each asks for the pending ACK (ackask.go)
	asksDone  uint64        // asks the last ACK sent answered
	conn      *conn         // attached connection (nil while the client is away)
	ttlStop   chan struct{} // closed to cancel a running expiry wait
	ended     bool
	endErr    error
	plainConn plainWS // plain mode: the one connection
}

type message struct {
	seq     uint64
	typ     sdk.MessageType
	payload []byte
}

// ID is the session id as 32 lowercase hex digits (16 random bytes); the
// same for every connection of the session. A plain session's id is
// random too but cannot be resumed.
func (s *Session) ID() string { return s.idStr }

// Resumed reports whether the handler was started for a session that
// began before this handler call: restored from the Store after the
// client moved from another node (issue 11). A reconnect to the same node
// never starts the handler again (Read and Write continue), so on one
// node Resumed is false.
func (s *Session) Resumed() bool { return s.resumed }

// Written is the number of messages written in this session so far, on
// every node it ran on: a handler started with Resumed() true sees what
// the previous nodes' handlers wrote (fixed when this node claimed the
// session, since a fenced node can no longer write), so it can continue an
// outbound stream exactly where the last one stopped. 0 for a plain
// session.
func (s *Session) Written() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appended
}

func newSessionBase(srv *Server, id resumewire.SessionID, plain bool) *Session {
	s := &Session{
		srv:       srv,
		id:        id,
		idStr:     hex.EncodeToString(id[:]),
		plain:     plain,
		kick:      make(chan struct{}, 1),
		inboxWake: make(chan struct{}),
	}
	s.ctx, s.cancel = context.WithCancelCause(context.Background())
	return s
}

// Read returns the client's next message, waiting until one arrives, ctx
// ends (ctx's cause; the session goes on) or the session ends (messages
// already received are still returned first, then the cause: a
// *CloseError, ErrSessionExpired, ErrSessionMoved, ErrServerClosed or an
// ErrStore). In resume mode the message counts as delivered when Read
// returns it: it is never handed to a handler again, and the client
// releases it once acknowledged. So a message read is consumed even if the
// handler then cannot act on it (its reply's Write fails with
// ErrSessionMoved or an ErrStore, the node dies): the next handler of the
// session never sees it. A request/response handler must make its replies
// idempotent or re-derivable (docs/resume.md, "Across nodes").
func (s *Session) Read(ctx context.Context) (sdk.MessageType, []byte, error) {
	s.readMu.Lock()
	defer s.readMu.Unlock()
	for {
		s.mu.Lock()
		if len(s.inbox) > 0 {
			m := s.inbox[0]
			s.inbox[0] = message{}
			s.inbox = s.inbox[1:]
			s.inboxSize -= len(m.payload)
			s.mu.Unlock()
			if !s.plain {
				if err := s.delivered1(m.seq); err != nil {
					return 0, nil, err
				}
			}
			return m.typ, m.payload, nil
		}
		if s.ended {
			err := s.endErr
			s.mu.Unlock()
			return 0, nil, err
		}
		wake := s.inboxWake
		s.mu.Unlock()
		if s.plain {
			s.plainConn.wantMore()
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return 0, nil, context.Cause(ctx)
		}
	}
}

// delivered1 records that Read hands seq to the handler: durable in the
// store first (so another node never delivers it again), then due for an
// ack.
func (s *Session) delivered1(seq uint64) error {
	if err := s.srv.opts.Store.SetDelivered(s.ctx, s.idStr, s.epoch, seq); err != nil {
		if cause := s.err(); cause != nil {
			return cause // the session ended while the store was retrying
		}
		err = wrapStore("SetDelivered", err)
		s.end(err)
		return err
	}
	s.mu.Lock()
	s.delivered = seq
	// Wake the writer when the first unacked message starts the AckDelay
	// timer, when AckEvery is reached, and when the client asked for an
	// ACK (a PING) nothing answered yet; not for every message.
	due := seq == s.ackSent+1 || seq-s.ackSent >= uint64(s.srv.opts.AckEvery) || s.asks > s.asksDone
	s.mu.Unlock()
	if due {
		s.wake()
	}
	return nil
}

// push queues m for Read. Called with s.mu held.
func (s *Session) push(m message) {
	s.inbox = append(s.inbox, m)
	s.inboxSize += len(m.payload)
	close(s.inboxWake)
	s.inboxWake = make(chan struct{})
}

// wake rings the writer's doorbell without blocking.
func (s *Session) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Write sends a message to the client. In resume mode it returns once the
// message is in the replay buffer (and the Store), not when the client
// got it: the message is delivered exactly once, in order, across
// reconnects, or the session ends with an error. While the buffer is full
// (Options.MaxUnacked / MaxUnackedBytes) Write waits for acks, also while
// the client is away, until ctx ends (ctx's cause; nothing was written)
// or the session ends (its cause). A plain session writes straight to its
// connection (coder/websocket closes it if ctx ends mid-write). p is
// copied; the caller may reuse it. Errors: ErrInvalidMessageType,
// ErrMessageTooBig, the causes above.
func (s *Session) Write(ctx context.Context, typ sdk.MessageType, p []byte) error {
	if typ != sdk.MessageText && typ != sdk.MessageBinary {
		return ErrInvalidMessageType
	}
	if s.plain {
		return s.plainWrite(ctx, typ, p)
	}
	if len(p) > s.srv.opts.MaxUnackedBytes {
		return ErrMessageTooBig
	}
	kind := resumewire.KindDataBinary
	if typ == sdk.MessageText {
		kind = resumewire.KindDataText
	}
	buf := append([]byte(nil), p...)

	// Push waits on one ctx: the caller's, ended early by the session's end.
	wctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := context.AfterFunc(s.ctx, func() { cancel(s.err()) })
	defer stop()

	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.err(); err != nil {
		return err
	}
	seq, err := s.win.Push(wctx, kind, buf)
	if err != nil {
		return err
	}
	if err := s.srv.opts.Store.Append(s.ctx, s.idStr, s.epoch, Frame{Seq: seq, Type: typ, Payload: buf}); err != nil {
		if cause := s.err(); cause != nil {
			return cause // the session ended while the store was retrying
		}
		err = wrapStore("Append", err)
		s.end(err)
		return err
	}
	s.mu.Lock()
	s.appended = seq
	s.mu.Unlock()
	s.wake()
	return nil
}

// err is the session's end cause, nil while it runs.
func (s *Session) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.endErr
}

// closeFlushTimeout bounds how long Close waits for the client to
// acknowledge what was written (real time: it guards a real socket).
const closeFlushTimeout = 5 * time.Second

// Close ends the session with a close frame (code, reason): the handler's
// ctx ends with a *CloseError (Local), and the client does not resume. In
// resume mode, while the client is connected, Close first waits (at most
// 5 s) until the client acknowledged everything written, then sends the
// server's pending ACK and the close frame. code must be one a server may
// send (1000, 1001, 1008, 1011–1013, 3000–4999) and reason at most 123
// bytes of UTF-8 (RFC 6455 §5.5, §7.4), else nothing is closed and Close
// returns sdk.ErrInvalidCloseCode / sdk.ErrInvalidCloseReason. Closing an
// ended session returns its cause.
func (s *Session) Close(code sdk.StatusCode, reason string) error {
	if !closeCodeOK(code) {
		return sdk.ErrInvalidCloseCode
	}
	if len(reason) > 123 || !utf8.ValidString(reason) {
		return sdk.ErrInvalidCloseReason
	}
	if err := s.err(); err != nil {
		return err
	}
	if !s.plain {
		s.flush(closeFlushTimeout)
	}
	s.end(&CloseError{Code: code, Reason: reason, Local: true})
	return nil
}

func closeCodeOK(c sdk.StatusCode) bool {
	switch c {
	case 1000, 1001, 1008, 1011, 1012, 1013:
		return true
	}
	return c >= 3000 && c <= 4999
}

// flush waits until every written frame is acknowledged, the client is
// away, the session ends, or d passes.
func (s *Session) flush(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	s.flushing.Store(true)
	s.wake() // the writer asks for the ACK rather than wait for the client's AckDelay
	for {
		released := s.win.Released()
		s.mu.Lock()
		away := s.conn == nil
		s.mu.Unlock()
		if away || s.win.Acked() == s.win.Last() {
			return
		}
		select {
		case <-released:
		case <-s.ctx.Done():
			return
		case <-t.C:
			return
		}
	}
}

// end finishes the session once: cause becomes the handler ctx's cause
// and the error of later calls; the attached connection (if any) gets the
// close frame cause implies; the store forgets the session.
func (s *Session) end(cause error) {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.ended = true
	s.endErr = cause
	c := s.conn
	s.conn = nil
	if s.ttlStop != nil {
		close(s.ttlStop)
		s.ttlStop = nil
	}
	close(s.inboxWake)
	s.mu.Unlock()

	s.cancel(cause)
	s.srv.unregister(s)
	if s.plain {
		s.plainConn.close(cause)
		return
	}
	if c != nil {
		c.shutdown(cause)
	}
	if s.forget(cause) {
		_ = s.srv.opts.Store.Delete(context.Background(), s.idStr, s.epoch)
	}
}

// forget reports whether a session ended by cause leaves the store.
// Moved: the session lives on elsewhere. A store failure: the record may
// still be good, and the client (told 4013) resumes from it once the
// store answers again, or it expires. The server closing (a graceful
// shutdown, a rolling deploy): another node sharing the store takes the
// client over, so the record stays and expires after SessionTTL unless a
// node claims it; only the server's own MemoryStore (Options.Store nil),
// which nobody else can read, is emptied at once. Else (the session
// really ended) best effort: a store that fails here lets the record
// expire.
func (s *Session) forget(cause error) bool {
	switch {
	case cause == ErrSessionMoved, errors.Is(cause, ErrStore):
		return false
	case cause == ErrServerClosed:
		return s.srv.ownStore
	}
	return true
}
