package server

import (
	"errors"
	"strings"

	"github.com/redial-ws/redial/sdk"
)

// Errors. Every error a Session returns, and every cause its handler's
// ctx ends with (context.Cause), matches one of these with errors.Is or is
// a *CloseError (errors.As).
var (
	// ErrSessionExpired: the client stayed disconnected longer than
	// Options.SessionTTL; the session and its buffers are gone.
	ErrSessionExpired = errors.New("redial/server: session expired")
	// ErrSessionMoved: the client re-attached to this session on another
	// node sharing the Store (server/redisstore); this node's handler
	// must stop.
	ErrSessionMoved = errors.New("redial/server: session moved to another node")
	// ErrServerClosed: Server.Close ended the session.
	ErrServerClosed = errors.New("redial/server: server closed")
	// ErrSessionClosed: the session was closed (by Session.Close, by the
	// client, or by a protocol error); errors.As gives the *CloseError.
	ErrSessionClosed = errors.New("redial/server: session closed")
	// ErrSessionNotFound: a Store has no live session with that id
	// (unknown, expired or deleted). The client is refused with 4504.
	ErrSessionNotFound = errors.New("redial/server: session not found")
	// ErrReplayTrimmed: a replay needs frames the store already released
	// (Store.Range). The client is refused with 4504.
	ErrReplayTrimmed = errors.New("redial/server: replay needs frames already released")
	// ErrInvalidMessageType: Write with a type other than
	// sdk.MessageText or sdk.MessageBinary.
	ErrInvalidMessageType = errors.New("redial/server: invalid message type")
	// ErrMessageTooBig: a Write larger than Options.MaxUnackedBytes: it
	// could never fit the replay buffer.
	ErrMessageTooBig = errors.New("redial/server: message larger than the replay buffer")
	// ErrStore: a Store operation failed (wrapped with the store's error);
	// the session ends on this node with it (a frame that may or may not
	// be stored cannot be replayed honestly from here), its client is
	// closed with 4013 and the store's record is kept: once the store
	// answers again the client resumes from it on any node, or gets 4504.
	ErrStore = errors.New("redial/server: session store failed")
)

// Close codes of the resume protocol (docs/resume.md, "Closing").
const (
	// StatusSessionLost (4504): the session id is unknown, expired,
	// foreign, or its replay buffer no longer holds what the client needs.
	// The client ends with sdk.ErrSessionLost.
	StatusSessionLost sdk.StatusCode = 4504
	// StatusStoreUnavailable (4013): the Store failed; the client keeps
	// its session and retries with backoff.
	StatusStoreUnavailable sdk.StatusCode = 4013
)

// CloseError is the close that ended a session: Local when this side
// (Session.Close, a protocol error the server detected) closed it, else
// the close frame the client sent. It matches ErrSessionClosed.
type CloseError struct {
	Code   sdk.StatusCode
	Reason string
	Local  bool
}

func (e *CloseError) Error() string {
	var b strings.Builder
	b.WriteString("redial/server: session closed by ")
	if e.Local {
		b.WriteString("server")
	} else {
		b.WriteString("client")
	}
	b.WriteString(" with ")
	b.WriteString(e.Code.String())
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	return b.String()
}

// Is makes a *CloseError match ErrSessionClosed.
func (e *CloseError) Is(target error) bool { return target == ErrSessionClosed }

// storeError wraps a Store failure so it matches ErrStore and the store's
// own error.
type storeError struct {
	op  string
	err error
}

func (e *storeError) Error() string {
	return "redial/server: session store failed: " + e.op + ": " + e.err.Error()
}
func (e *storeError) Unwrap() []error { return []error{ErrStore, e.err} }

func wrapStore(op string, err error) error {
	if err == nil || errors.Is(err, ErrSessionMoved) || errors.Is(err, ErrSessionNotFound) {
		return err
	}
	return &storeError{op: op, err: err}
}
