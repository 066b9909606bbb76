package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/coder/websocket"
	"github.com/redial-ws/redial/internal/resumewire"
	"github.com/redial-ws/redial/sdk"
)

// serveResume runs the opening exchange (docs/resume.md): HELLO within
// HelloTimeout, then a new or resumed session, WELCOME, replay, and the
// connection's read loop.
func (srv *Server) serveResume(r *http.Request, ws *websocket.Conn) {
	opts := &srv.opts
	hctx, cancel := context.WithTimeout(context.Background(), opts.HelloTimeout)
	typ, b, err := ws.Read(hctx)
	cancel()
	if err != nil {
		_ = ws.CloseNow() // no HELLO in time, or the client went away
		return
	}
	var hello resumewire.Frame
	if typ == websocket.MessageBinary {
		hello, err = resumewire.Decode(b)
	}
	if typ != websocket.MessageBinary || err != nil || hello.Kind != resumewire.KindHello {
		_ = ws.Close(websocket.StatusProtocolError, "resume: first message must be HELLO")
		return
	}
	principal := ""
	if opts.Principal != nil {
		principal = opts.Principal(r)
	}

	var s *Session
	fresh := true // this connection brought the session to this node
	if hello.Flags&resumewire.FlagResume == 0 {
		s, err = srv.create(principal)
	} else {
		s, fresh, err = srv.find(hello.ID, principal)
	}
	if err != nil {
		refuse(ws, err)
		return
	}
	c, err := s.attach(ws, &hello)
	if errors.Is(err, ErrSessionMoved) && !fresh {
		// This node's copy was stale (the session ran on another node
		// since, and the move notice has not arrived): take it over from
		// the Store like any session from elsewhere.
		s, fresh = nil, true
		if s, err = srv.restore(hello.ID, principal); err == nil {
			c, err = s.attach(ws, &hello)
		}
	}
	if err != nil {
		if fresh {
			s.end(err)
		}
		refuse(ws, err)
		return
	}
	// The handler starts once the connection is attached, so that what it
	// writes and a Close right away reach this client.
	if fresh && !srv.startHandler(s) {
		s.end(ErrServerClosed)
	}
	if !srv.goTracked(c.writeLoop) {
		close(c.writerDone)
		close(c.readerDone)
		s.end(ErrServerClosed)
		return
	}
	c.readLoop()
}

// refuse closes a connection whose HELLO cannot be served.
func refuse(ws *websocket.Conn, err error) {
	switch {
	case errors.Is(err, resumewire.ErrAckAhead):
		_ = ws.Close(websocket.StatusProtocolError, "resume: delivered counter ahead of the session")
	case errors.Is(err, ErrStore):
		_ = ws.Close(websocket.StatusCode(StatusStoreUnavailable), "session store unavailable")
	case errors.Is(err, ErrServerClosed):
		_ = ws.Close(websocket.StatusServiceRestart, "server closed")
	default: // not found, expired, foreign, trimmed, ended
		_ = ws.Close(websocket.StatusCode(StatusSessionLost), "session lost")
	}
}

// create makes a new session with a fresh id, stores it, registers it
// and starts its handler.
func (srv *Server) create(principal string) (*Session, error) {
	id, err := newID()
	if err != nil {
		return nil, wrapStore("session id", err)
	}
	s := newSessionBase(srv, id, false)
	s.principal = principal
	s.epoch, err = srv.opts.Store.Create(context.Background(), s.idStr, principal, srv.opts.SessionTTL)
	if err != nil {
		return nil, wrapStore("Create", err)
	}
	s.win = resumewire.NewWindow(srv.opts.MaxUnacked, srv.opts.MaxUnackedBytes, 0)
	if !srv.register(s) {
		// No client knows this id yet: forget it now (a session ended by
		// ErrServerClosed is otherwise kept for another node).
		_ = srv.opts.Store.Delete(context.Background(), s.idStr, s.epoch)
		return nil, ErrServerClosed
	}
	return s, nil
}

func (srv *Server) register(s *Session) bool {
	srv.mu.Lock()
	if srv.closed {
		srv.mu.Unlock()
		return false
	}
	srv.sessions[s.id] = s
	srv.mu.Unlock()
	return true
}

// find returns the running session id names on this node, or restores it
// from the Store (a session that ran on another node sharing it). An
// unknown id, or one bound to another principal, is ErrSessionNotFound:
// never a fresh session in its place, never another client's data.
func (srv *Server) find(id resumewire.SessionID, principal string) (s *Session, restored bool, err error) {
	srv.mu.Lock()
	s = srv.sessions[id]
	srv.mu.Unlock()
	if s != nil {
		if s.plain || s.principal != principal {
			return nil, false, ErrSessionNotFound
		}
		return s, false, nil
	}
	s, err = srv.restore(id, principal)
	return s, true, err
}

// restore takes a session over from the Store: Claim fences the previous
// owner (its next store call fails with ErrSessionMoved; a MoveNotifier
// store tells it at once), the replay
// buffer is reloaded, and the handler starts with Resumed() true.
func (srv *Server) restore(id resumewire.SessionID, principal string) (*Session, error) {
	s := newSessionBase(srv, id, false)
	ctx := context.Background()
	rec, err := srv.opts.Store.Claim(ctx, s.idStr, srv.opts.SessionTTL)
	if err != nil {
		return nil, wrapStore("Claim", err)
	}
	if rec.Principal != principal {
		return nil, ErrSessionNotFound
	}
	s.principal, s.epoch, s.resumed = principal, rec.Epoch, true
	s.win = resumewire.NewWindow(srv.opts.MaxUnacked, srv.opts.MaxUnackedBytes, rec.Acked)
	err = srv.opts.Store.Range(ctx, s.idStr, rec.Acked, func(f Frame) error {
		kind := resumewire.KindDataBinary
		if f.Type == sdk.MessageText {
			kind = resumewire.KindDataText
		}
		seq, err := s.win.Push(ctx, kind, f.Payload)
		if err == nil && seq != f.Seq {
			err = resumewire.ErrGap
		}
		return err
	})
	if err != nil {
		return nil, wrapStore("Range", err)
	}
	s.appended = s.win.Last()
	s.recv = resumewire.NewReceiver(rec.Delivered)
	s.delivered, s.ackSent = rec.Delivered, rec.Delivered
	if !srv.register(s) {
		return nil, ErrServerClosed
	}
	return s, nil
}

// attach makes ws the session's connection, replacing (and waiting out)
// a previous one the server had not yet seen die. hello.N (what the
// client delivered) acknowledges our frames up to it; the writer replays
// the rest.
func (s *Session) attach(ws *websocket.Conn, hello *resumewire.Frame) (*conn, error) {
	s.attachMu.Lock()
	defer s.attachMu.Unlock()
	s.mu.Lock()
	old, ended, endErr, appended := s.conn, s.ended, s.endErr, s.appended
	s.mu.Unlock()
	if ended {
		if errors.Is(endErr, ErrSessionMoved) {
			// This copy is ending because another node claimed the
			// session (end ran, unregister not yet): the session lives
			// on in the Store, and serveResume restores it from there.
			return nil, ErrSessionMoved
		}
		return nil, ErrSessionNotFound
	}
	if old != nil {
		old.cancel() // its reader detaches it; wait for both loops
		<-old.readerDone
		<-old.writerDone
	}
	// The epoch check comes first: with a shared Store this node's copy
	// may be stale (another node claimed the session), and its counters
	// must not judge the client's HELLO.
	if err := s.srv.opts.Store.Touch(context.Background(), s.idStr, s.epoch, s.srv.opts.SessionTTL); err != nil {
		err = wrapStore("Touch", err)
		s.end(err)
		return nil, err
	}
	switch {
	case hello.N > appended:
		return nil, resumewire.ErrAckAhead
	case hello.N < s.win.Acked():
		return nil, ErrReplayTrimmed // the client lost what it had acked
	}
	if err := s.acked(hello.N); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{
		s: s, ws: ws, ctx: ctx, cancel: cancel,
		helloDelivered: hello.N,
		stop:           make(chan struct{}),
		writerDone:     make(chan struct{}),
		readerDone:     make(chan struct{}),
	}
	c.sent.Store(hello.N) // before WELCOME: the client may ack at once
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		cancel()
		return nil, ErrSessionNotFound
	}
	if s.ttlStop != nil {
		close(s.ttlStop)
		s.ttlStop = nil
	}
	s.conn = c
	s.ackSent = s.delivered // WELCOME carries it
	s.asksDone = s.asks     // a request for an ACK belongs to its connection
	w := resumewire.Frame{
		Kind: resumewire.KindWelcome, Version: resumewire.Version, ID: s.id,
		N:          s.delivered,
		AckEvery:   uint64(s.srv.opts.AckEvery),
		AckDelayMS: uint64(s.srv.opts.AckDelay.Milliseconds()),
	}
	if hello.Flags&resumewire.FlagResume != 0 {
		w.Flags = resumewire.FlagResume
	}
	s.mu.Unlock()
	c.welcome = resumewire.Append(nil, &w)
	return c, nil
}

// detach notes that c dropped without a close frame: the session waits
// SessionTTL for the client to come back, then ends (ErrSessionExpired).
func (s *Session) detach(c *conn) {
	s.mu.Lock()
	if s.conn != c || s.ended {
		s.mu.Unlock()
		return
	}
	s.conn = nil
	stop := make(chan struct{})
	s.ttlStop = stop
	t := s.srv.opts.Clock.NewTimer(s.srv.opts.SessionTTL)
	s.mu.Unlock()

	if err := s.srv.opts.Store.Touch(context.Background(), s.idStr, s.epoch, s.srv.opts.SessionTTL); err != nil {
		t.Stop()
		s.end(wrapStore("Touch", err))
		return
	}
	ok := s.srv.goTracked(func() {
		select {
		case <-t.C():
			s.mu.Lock()
			current := s.ttlStop == stop
			s.mu.Unlock()
			if current {
				s.end(ErrSessionExpired)
			}
		case <-stop:
			t.Stop()
		}
	})
	if !ok {
		t.Stop()
	}
}
