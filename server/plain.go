package server

import (
	"context"
	"errors"
	"sync"

	"github.com/coder/websocket"
	"github.com/redial-ws/redial/sdk"
)

// plainInbox bounds the messages a plain connection reads ahead of the
// handler; beyond it the reader stops reading, and TCP pushes back on the
// client (a plain client has no window of its own).
const plainInbox = 16

// plainWS is a plain session's one connection.
type plainWS struct {
	ws     *websocket.Conn
	more   chan struct{}      // cap 1: Read wants the reader to go on
	cancel context.CancelFunc // ends the reader's ctx after the close handshake
	once   sync.Once
}

func (p *plainWS) wantMore() {
	select {
	case p.more <- struct{}{}:
	default:
	}
}

// close closes the connection with the close frame cause implies.
func (p *plainWS) close(cause error) {
	p.once.Do(func() {
		defer p.cancel()
		code, reason := closeFor(cause)
		if code == 0 || code == StatusSessionLost {
			_ = p.ws.CloseNow()
			return
		}
		_ = p.ws.Close(websocket.StatusCode(code), reason)
	})
}

// servePlain serves a client that did not ask for resume: a Session with
// no replay whose life is this one connection. Its handler starts at
// once: a server that speaks first works.
func (srv *Server) servePlain(ws *websocket.Conn) {
	id, err := newID()
	if err != nil {
		_ = ws.Close(websocket.StatusInternalError, "no session id")
		return
	}
	s := newSessionBase(srv, id, true)
	// The reader's ctx is not the session's: a session that ends by Close
	// must not abort the close handshake the reader takes part in.
	rctx, rcancel := context.WithCancel(context.Background())
	defer rcancel()
	s.plainConn = plainWS{ws: ws, more: make(chan struct{}, 1), cancel: rcancel}
	if !srv.register(s) || !srv.startHandler(s) {
		s.end(ErrServerClosed)
		return
	}
	for {
		typ, b, err := ws.Read(rctx)
		if err != nil {
			var ce websocket.CloseError
			if errors.As(err, &ce) {
				s.end(&CloseError{Code: sdk.StatusCode(ce.Code), Reason: ce.Reason})
			} else {
				s.end(&CloseError{Code: sdk.StatusAbnormalClosure, Reason: err.Error()})
			}
			return
		}
		s.mu.Lock()
		if s.ended { // the handler closed the session meanwhile: nothing reads its inbox
			s.mu.Unlock()
			return
		}
		s.push(message{typ: sdk.MessageType(typ), payload: b})
		full := len(s.inbox) >= plainInbox
		s.mu.Unlock()
		for full {
			select {
			case <-s.plainConn.more:
			case <-s.ctx.Done():
				return
			}
			s.mu.Lock()
			full = len(s.inbox) >= plainInbox
			s.mu.Unlock()
		}
	}
}

// plainWrite writes straight to the connection, one message at a time.
func (s *Session) plainWrite(ctx context.Context, typ sdk.MessageType, p []byte) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.err(); err != nil {
		return err
	}
	if err := s.plainConn.ws.Write(ctx, websocket.MessageType(typ), p); err != nil {
		if err := s.err(); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		s.end(&CloseError{Code: sdk.StatusAbnormalClosure, Reason: err.Error()})
		return s.err()
	}
	return nil
}
