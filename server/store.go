package server

import (
	"context"
	"time"

	"github.com/redial-ws/redial/sdk"
)

// Frame is one outbound data message a Store keeps until the client
// acknowledges it.
type Frame struct {
	Seq     uint64 // 1, 2, 3 … per session, no gaps
	Type    sdk.MessageType
	Payload []byte // never modified once appended; a store may keep it as is
}

// Record is what a session must keep across connections, besides its
// unacknowledged frames.
type Record struct {
	// Principal is Options.Principal's value for the connection that
	// created the session; a resume from another principal is refused.
	Principal string
	// Delivered is the inbound high-water mark: the client's messages
	// 1..Delivered were handed to a handler (Session.Read returned them).
	Delivered uint64
	// Acked is the highest outbound seq the client acknowledged; Sent the
	// highest outbound seq appended. Frames Acked+1..Sent are in the store.
	Acked, Sent uint64
	// Epoch is the owner's fencing token (see Claim).
	Epoch uint64
}

// Store keeps sessions across connections (and, for a shared store such
// as Redis, across server nodes). The server calls it from many
// goroutines at once, for different sessions and for one session, so
// every method must be safe for concurrent use. A method that fails must
// leave the session as it was (all or nothing).
//
// Ownership: every mutating call carries the epoch the caller got from
// Create or Claim. A Claim makes a new epoch current; from then on a call
// with an older epoch must fail with ErrSessionMoved and change nothing
// (fencing: a node that lost the session cannot write into it). An
// unknown or expired id fails with ErrSessionNotFound.
//
// Expiry: a session the server stops touching (its node died, or its
// client stayed away) must vanish after the ttl of the last Create, Claim
// or Touch; the server touches a session at every attach and detach and at
// least every ttl/3 while a client is attached.
type Store interface {
	// Create stores a new session with Record{Principal, Epoch: 1} and no
	// frames, living ttl. id is fresh (16 random bytes, hex); a collision
	// returns an error. Durable before it returns.
	Create(ctx context.Context, id, principal string, ttl time.Duration) (epoch uint64, err error)

	// Claim makes the caller the session's owner: it atomically bumps the
	// epoch, renews the ttl and returns the record with the new epoch.
	// Two concurrent Claims get different epochs; the later one wins.
	// ErrSessionNotFound if the id is unknown or expired.
	Claim(ctx context.Context, id string, ttl time.Duration) (Record, error)

	// Append stores f (f.Seq == Sent+1, else an error) and sets Sent. It
	// must be durable before it returns: the frame may reach the client
	// and be replayed by another node afterwards. At most Options.
	// MaxUnacked frames are unacknowledged at once (the server waits
	// before appending more), so a bounded stream (MAXLEN) holds them.
	Append(ctx context.Context, id string, epoch uint64, f Frame) error

	// Ack releases every frame with Seq ≤ upTo and sets Acked (monotonic:
	// a lower upTo is a no-op). It may be applied lazily, but Range must
	// never return a frame ≤ Acked as if still needed: Range starts after
	// the caller's own bound.
	Ack(ctx context.Context, id string, epoch uint64, upTo uint64) error

	// Range calls fn, in seq order, for each stored frame with Seq > after,
	// up to Sent. If a frame the caller needs was already released (after
	// < Acked) it returns an error matching ErrReplayTrimmed (the server
	// answers 4504). Reads what every completed Append wrote.
	Range(ctx context.Context, id string, after uint64, fn func(Frame) error) error

	// SetDelivered records the inbound high-water mark (monotonic). The
	// server calls it before Session.Read returns message n, so that a
	// node taking the session over never hands n to a second handler;
	// durable before it returns.
	SetDelivered(ctx context.Context, id string, epoch uint64, n uint64) error

	// Touch renews the session's life to now+ttl.
	Touch(ctx context.Context, id string, epoch uint64, ttl time.Duration) error

	// Delete forgets the session and its frames (the session ended). A
	// session already gone is not an error.
	Delete(ctx context.Context, id string, epoch uint64) error
}

// MoveNotifier is implemented by a shared Store that can tell a node at
// once that another node claimed one of its sessions (Redis: pub/sub on a
// per-node channel). A Server whose Store implements it subscribes in New
// and unsubscribes in Close; a notice for a session this node runs under
// an older epoch ends it with ErrSessionMoved right away, instead of at
// its next store operation. Notices may be lost (at most once): fencing
// by epoch stays the guarantee, the notice only makes it prompt.
type MoveNotifier interface {
	// NotifyMoves calls fn(id, epoch) after a Claim made epoch current for
	// session id (fn must not block), until stop is called; stop waits
	// for a running fn to return. Safe for concurrent use.
	NotifyMoves(fn func(id string, epoch uint64)) (stop func())
}
