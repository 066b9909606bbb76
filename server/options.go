package server

import (
	"net/http"
	"time"

	"github.com/coder/websocket"

	"github.com/redial-ws/redial/internal/sdkhooks"
)

// QueryParam is the URL query parameter a resume client adds to the
// WebSocket URL (value "1", the protocol version): "?redial-resume=1".
// Without it the connection is served as a plain WebSocket. See
// docs/resume.md, "Telling resume clients from plain ones".
const QueryParam = "redial-resume"

// Options configure a Server. A nil *Options or a zero field means the
// documented default; New copies the struct and never modifies it.
type Options struct {
	// AcceptOptions are passed to websocket.Accept for every connection
	// (subprotocols, origin patterns, compression). Nil: coder/websocket's
	// defaults (same-origin only).
	AcceptOptions *websocket.AcceptOptions

	// SessionTTL is how long a session outlives its connection while the
	// client is away. After it the session ends (handler ctx cause
	// ErrSessionExpired) and a resume gets 4504. Default 2 min.
	SessionTTL time.Duration

	// MaxUnacked and MaxUnackedBytes bound the replay buffer: messages
	// written and not yet acknowledged by the client (count, and payload
	// bytes; a message may be up to MaxUnackedBytes long). When it is
	// full, Session.Write waits (backpressure) until the client acks, ctx
	// ends or the session ends. Once half of either bound is
	// unacknowledged the server asks the client for its ACK with a PING
	// (docs/resume.md, "Asking for an ACK"), so a buffer that holds fewer
	// messages than the client's AckEvery does not wait for its timer.
	// Defaults 1024 and 1 MiB, the client's defaults (DESIGN.md, send
	// queue).
	MaxUnacked      int
	MaxUnackedBytes int

	// AckEvery and AckDelay: the server acknowledges the client's messages
	// after AckEvery of them were read by the handler, or AckDelay after
	// the first unacknowledged one, whichever comes first (announced in
	// WELCOME; the Go client uses them for its own ACKs too), and also as
	// soon as the handler read one after a client's PING (the client asks
	// so when half its send queue is unacknowledged, whatever the message
	// size). Values ≤ 0 mean the defaults, 64 messages and 50 ms; a larger
	// AckEvery costs fewer ACK frames (3–4 bytes each on the wire) and
	// never stalls a client, which asks before its queue is full.
	AckEvery int
	AckDelay time.Duration

	// HelloTimeout bounds the wait for a resume client's HELLO after the
	// WebSocket opened; past it the connection is closed (1002).
	// Default 10 s (the client's dial timeout).
	HelloTimeout time.Duration

	// ReadLimit is the largest message payload accepted from a client, in
	// bytes (a larger one closes with 1009). Default 32 KiB, as
	// coder/websocket.
	ReadLimit int64

	// Principal, if set, names the authenticated caller of a connection
	// (from the request your auth middleware already checked). A session
	// is bound to the principal that created it; a resume by another
	// principal is refused with 4504 as if the id were unknown.
	Principal func(r *http.Request) string

	// Store keeps sessions across connections. Nil: a MemoryStore (this
	// process only).
	Store Store

	// Clock is the source of time for SessionTTL and AckDelay (tests inject
	// internal/fakeclock). Nil: real time.
	Clock Clock
}

// Clock is the time source SessionTTL, AckDelay and the store's expiry run
// on, and Timer its timers; tests inject internal/fakeclock. They are the
// SDK's own (internal/sdkhooks), named here so a test outside the module
// can implement them too.
type (
	Clock = sdkhooks.Clock
	Timer = sdkhooks.Timer
)

const (
	defaultTTL          = 2 * time.Minute
	defaultMaxUnacked   = 1024
	defaultMaxBytes     = 1 << 20
	defaultAckEvery     = 64
	defaultAckDelay     = 50 * time.Millisecond
	defaultHelloTimeout = 10 * time.Second
	defaultReadLimit    = 32 << 10
	// maxInbox and maxInboxBytes bound the messages received and not yet
	// Read. A client never has more unacknowledged than its own MaxQueued
	// and MaxQueuedBytes (defaults 1024, 1 MiB), and the server acks only
	// what was Read; one that exceeds these is closed with 1008.
	maxInbox      = 1 << 16
	maxInboxBytes = 16 << 20
)

func (o *Options) withDefaults() Options {
	var out Options
	if o != nil {
		out = *o
	}
	if out.SessionTTL <= 0 {
		out.SessionTTL = defaultTTL
	}
	if out.MaxUnacked <= 0 {
		out.MaxUnacked = defaultMaxUnacked
	}
	if out.MaxUnackedBytes <= 0 {
		out.MaxUnackedBytes = defaultMaxBytes
	}
	if out.AckEvery <= 0 {
		out.AckEvery = defaultAckEvery
	}
	if out.AckDelay <= 0 {
		out.AckDelay = defaultAckDelay
	}
	if out.HelloTimeout <= 0 {
		out.HelloTimeout = defaultHelloTimeout
	}
	if out.ReadLimit <= 0 {
		out.ReadLimit = defaultReadLimit
	}
	if out.Clock == nil {
		out.Clock = realClock{}
	}
	if out.Store == nil {
		out.Store = NewMemoryStore(out.Clock.Now)
	}
	return out
}

type realClock struct{}

func (realClock) Now() time.Time                 { return time.Now() }
func (realClock) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

type realTimer struct{ t *time.Timer }

func (t realTimer) C() <-chan time.Time { return t.t.C }
func (t realTimer) Stop() bool          { return t.t.Stop() }
