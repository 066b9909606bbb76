package sdk

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/redial-ws/redial/internal/resumewire"
)

// ErrSessionLost: in resume mode (Options.Resume), the server no longer
// has the session (it expired after the server's TTL, the server restarted
// without its store, it trimmed frames this side still needed, or it
// answered a resume with another or a new session), so what was in flight
// cannot be replayed. The Conn ends for good with an error matching it
// (and ErrClosed; errors.As gives the *CloseError, code 4504 when the
// server said so): never a silent gap. A new Dial or New starts a new
// session. docs/resume.md, "The opening exchange".
var ErrSessionLost = errors.New("redial: resume session lost")

// errBehindAck: WELCOME says the server delivered less than it had
// acknowledged: it lost its state.
var errBehindAck = errors.New("the server delivered less than it had acknowledged")

// statusSessionLost is the protocol's close code for a session the server
// no longer has (docs/resume.md, "Close codes of the protocol").
const statusSessionLost StatusCode = 4504

// resumeSession is a resume Conn's state that outlives its connections:
// the session id (from the server's first WELCOME: the client makes no id,
// so the browser build needs no crypto), the inbound receiver, and the
// last ACK sent. The send window is the Conn's queue (resume_queue.go).
type resumeSession struct {
	q  *sendQueue
	mu sync.Mutex
	id resumewire.SessionID
	// hasID: a WELCOME gave the id; every later HELLO resumes it.
	hasID   bool
	recv    resumewire.Receiver // delivered inbound seq
	ackSent uint64              // the last delivered count the server was told
	lost    error               // once the session is lost, every dial returns it
}

// enableResume puts the resume layer at the transport seam: every attempt
// dials the URL with the resume query parameter, runs the opening exchange
// (HELLO, WELCOME, bounded by the attempt's DialTimeout) and hands the
// supervisor a transport that speaks the protocol. The supervisor, policy
// and events see one connection as before.
func (c *Conn) enableResume() {
	s := &resumeSession{q: c.queue}
	c.queue.rq = &resumeCursor{}
	inner := c.dialFn
	c.dialFn = func(ctx context.Context, u string, cfg *config, header map[string][]string) (transport, error) {
		if err := s.lostErr(); err != nil {
			return nil, err
		}
		t, err := inner(ctx, withResumeParam(u), cfg, header)
		if err != nil {
			return nil, err
		}
		rt, err := s.open(ctx, t, cfg)
		if err != nil {
			t.abort()
			return nil, err
		}
		return rt, nil
	}
}

// withResumeParam adds redial-resume=1 to u's query (no net/url: the
// browser build stays small; u is normalized, without a fragment).
func withResumeParam(u string) string {
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + resumewire.QueryParam + "=" + resumewire.QueryValue
}

func (s *resumeSession) lostErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lost
}

// fail records err as the session's end when it is the session's loss.
func (s *resumeSession) fail(err error) error {
	if errors.Is(err, ErrSessionLost) {
		s.mu.Lock()
		if s.lost == nil {
			s.lost = err
		}
		s.mu.Unlock()
	}
	return err
}

// closeErr types a close from the server: 4504 is the session's loss.
func (s *resumeSession) closeErr(err error) error {
	var ce *CloseError
	if errors.As(err, &ce) && ce.Code == statusSessionLost && !ce.Local && ce.Err == nil {
		cp := *ce
		cp.Err = ErrSessionLost
		return s.fail(&cp)
	}
	return err
}

// protocolError is a peer that broke docs/resume.md: final, 1002 (1007 for
// text that is not UTF-8), as the server treats a broken client.
func protocolError(code StatusCode, why string) error {
	return &CloseError{Code: code, Reason: "resume: " + why, Local: true}
}

// open runs the opening exchange on a fresh WebSocket: HELLO (resuming
// the session once there is one), then WELCOME, checked, within ctx (the
// attempt's DialTimeout: a server that does not speak resume never
// answers). The native transport ignores ctx in read, so ctx's end aborts.
func (s *resumeSession) open(ctx context.Context, t transport, cfg *config) (*resumeTransport, error) {
	stop := context.AfterFunc(ctx, t.abort)
	defer stop()
	s.mu.Lock()
	hello := resumewire.Frame{Kind: resumewire.KindHello, Version: resumewire.Version, N: s.recv.Accepted()}
	if s.hasID {
		hello.Flags, hello.ID = resumewire.FlagResume, s.id
	}
	s.mu.Unlock()
	if err := t.write(ctx, MessageBinary, resumewire.Append(nil, &hello)); err != nil {
		return nil, err
	}
	typ, b, err := t.read(ctx)
	if ctx.Err() != nil { // the abort above cut the read
		return nil, &redactedError{msg: "resume: no WELCOME (does the server speak docs/resume.md?): " + ctx.Err().Error(),
			err: []error{ctx.Err()}}
	}
	if err != nil {
		return nil, s.closeErr(err)
	}
	w, err := resumewire.Decode(b)
	if typ != MessageBinary || err != nil || w.Kind != resumewire.KindWelcome {
		return nil, protocolError(StatusProtocolError, "the server's first message is not WELCOME")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.hasID && w.ID != s.id:
		// A server must never hand this client another session's data
		// (docs/resume.md, "Sessions"): refuse whatever it is.
		return nil, s.lostLocallyLocked("WELCOME names another session")
	case s.hasID && w.Flags&resumewire.FlagResume == 0:
		return nil, s.lostLocallyLocked("the server answered the resume with a new session")
	case !s.hasID && w.Flags&resumewire.FlagResume != 0:
		return nil, protocolError(StatusProtocolError, "WELCOME resumed a session never asked for")
	}
	switch err := s.q.rewind(w.N); {
	case errors.Is(err, errBehindAck):
		return nil, s.lostLocallyLocked(err.Error())
	case err != nil:
		return nil, protocolError(StatusProtocolError, "WELCOME's delivered counter is ahead of what was sent")
	}
	s.id, s.hasID = w.ID, true
	s.ackSent = s.recv.Accepted() // HELLO told the server
	return newResumeTransport(t, s, &w, cfg), nil
}

// lostLocallyLocked is a loss this side detected (a WELCOME that does
// not continue the session): final, as the server's 4504. mu is held.
func (s *resumeSession) lostLocallyLocked(why string) error {
	err := &CloseError{Code: statusSessionLost, Reason: "resume: " + why, Local: true, Err: ErrSessionLost}
	if s.lost == nil {
		s.lost = err
	}
	return err
}

// accept runs seq through the receiver: deliver it, or drop a duplicate.
func (s *resumeSession) accept(seq uint64) (resumewire.Verdict, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recv.Accept(seq)
}

// pendingAck is the delivered count to acknowledge, or false when the
// server knows it already.
func (s *resumeSession) pendingAck() (uint64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	acc := s.recv.Accepted()
	return acc, acc > s.ackSent
}

func (s *resumeSession) acked(n uint64) {
	s.mu.Lock()
	s.ackSent = max(s.ackSent, n)
	s.mu.Unlock()
}

// closeDiscard is what serve's close flush drains while it waits, in
// resume mode: the incoming buffer, whose messages Read no longer returns
// once Close was called. The flush waits for the server's ACKs, and a
// server's ACKs travel behind its data: a reader stuck on a full buffer
// would leave them unread in the socket until the flush timed out. Plain
// mode: nil (nothing to wait for from the server).
func (c *Conn) closeDiscard() <-chan inMsg {
	if c.queue.rq == nil {
		return nil
	}
	return c.inboxMadeNow()
}
