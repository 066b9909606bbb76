// Package redisstore is a server.Store on Redis (github.com/redis/go-redis/v9),
// shared by every node of a deployment so that a resume client may come
// back on any of them (docs/resume.md, "Across nodes").
//
// Per session it keeps two keys, both expiring SessionTTL after the last
// Create, Claim or Touch: a hash with the counters, principal, epoch and
// owner node, and a Stream with the unacknowledged outbound frames (entry
// id = seq, so XRANGE replays by seq and XTRIM MINID releases on ack).
// Every operation is one Lua script (one round trip, atomic with its
// epoch check). A Claim publishes on the previous owner's channel, so a
// node that lost a session ends its handler at once (server.MoveNotifier).
package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
	"github.com/redis/go-redis/v9"
)

// Options configure a Store. A nil *Options, or a field that is zero (for
// MaxFrames and Timeout: zero or negative), means the documented default.
//
// There is no TTL here on purpose: the server passes its
// server.Options.SessionTTL to Create, Claim and Touch, and the keys
// expire after it; one setting cannot disagree with itself.
type Options struct {
	// Prefix starts every key and channel name. Default "redial:". Keys
	// are Prefix+"{"+id+"}" (hash) and Prefix+"{"+id+"}:out" (stream):
	// the braces are a Redis Cluster hash tag, so a session's two keys
	// share a slot and one script can use both. Prefix must not contain
	// '{' or '}' (ErrPrefixBraces): Cluster hashes only a key's first
	// {…}, so a braced Prefix would put every session in one slot.
	Prefix string

	// MaxFrames bounds the unacknowledged frames per session; an Append
	// beyond it fails (the session ends with server.ErrStore) instead of
	// trimming a frame the client may still need. It must be at least
	// server.Options.MaxUnacked (the server never exceeds that). Default
	// 1024, the server's default.
	MaxFrames int

	// Timeout is the deadline of each Redis operation the server did not
	// give one; a Redis that does not answer within it counts as down
	// (new sessions get 4013). Default 5 s. go-redis applies a context's
	// deadline to the socket only if the client was made with
	// ContextTimeoutEnabled: true; without it a Redis that accepted the
	// connection and does not answer is noticed after go-redis's
	// ReadTimeout (default 3 s), whatever Timeout says. A SetDelivered or
	// Append that times out is repeated (retry.go), each attempt with
	// this deadline.
	Timeout time.Duration
}

// Store implements server.Store and server.MoveNotifier on Redis. Safe for
// concurrent use; one per node (its node id names the channel Claims on
// other nodes publish to).
type Store struct {
	rdb       redis.UniversalClient
	prefix    string
	maxFrames int
	timeout   time.Duration
	node      string // random; the owner field and the move channel's suffix
	invalid   error  // ErrNilClient or ErrPrefixBraces: every method returns it

	mu     sync.Mutex
	subs   map[int]func(id string, epoch uint64)
	nextID int
	ps     *redis.PubSub
	psDone chan struct{}
}

var (
	_ server.Store        = (*Store)(nil)
	_ server.MoveNotifier = (*Store)(nil)
)

// New returns a Store on rdb (a *redis.Client, *redis.ClusterClient or
// *redis.Ring; the caller keeps ownership and closes it after the
// servers). It does not contact Redis: a Redis that is down makes the
// store's operations fail (server.ErrStore), not New; Ping checks it. A
// nil rdb (or a typed nil) or a Prefix with braces does not panic: every
// operation fails with ErrNilClient or ErrPrefixBraces.
func New(rdb redis.UniversalClient, opts *Options) *Store {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Prefix == "" {
		o.Prefix = "redial:"
	}
	if o.MaxFrames <= 0 {
		o.MaxFrames = 1024
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (Go 1.24+)
	return &Store{
		rdb: rdb, prefix: o.Prefix, maxFrames: o.MaxFrames, timeout: o.Timeout,
		invalid: invalid(rdb, o.Prefix),
		node:    hex.EncodeToString(b[:]),
		subs:    make(map[int]func(string, uint64)),
	}
}

func (st *Store) keys(id string) []string {
	k := st.prefix + "{" + id + "}"
	return []string{k, k + ":out"}
}

// movedChannel is where Claims on other nodes tell this one.
func (st *Store) movedChannel() string { return st.prefix + "moved:" + st.node }

// bound gives ctx the store's timeout unless it has a deadline.
func (st *Store) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, st.timeout)
}

// run runs a script with the store's timeout unless ctx has a deadline;
// its error replies become this package's and server's sentinels.
func (st *Store) run(ctx context.Context, s *redis.Script, id string, args ...any) (any, error) {
	v, err := st.eval(ctx, s, id, args...)
	return v, mapErr(err)
}

// eval is run without mapping the error (retry.go tells replies apart).
func (st *Store) eval(ctx context.Context, s *redis.Script, id string, args ...any) (any, error) {
	if st.invalid != nil {
		return nil, st.invalid
	}
	ctx, cancel := st.bound(ctx)
	defer cancel()
	return s.Run(ctx, st.rdb, st.keys(id), args...).Result()
}

func ms(d time.Duration) int64 { return max(d.Milliseconds(), 1) }

// Create implements server.Store.
func (st *Store) Create(ctx context.Context, id, principal string, ttl time.Duration) (uint64, error) {
	if _, err := st.run(ctx, createScript, id, principal, ms(ttl), st.node); err != nil {
		return 0, err
	}
	return 1, nil
}

// Claim implements server.Store; the previous owner's node is told on its
// channel (see NotifyMoves).
func (st *Store) Claim(ctx context.Context, id string, ttl time.Duration) (server.Record, error) {
	v, err := st.run(ctx, claimScript, id, ms(ttl), st.node, st.prefix+"moved:", id)
	if err != nil {
		return server.Record{}, err
	}
	a, ok := v.([]any)
	if !ok || len(a) != 5 {
		return server.Record{}, errReply
	}
	p, _ := a[0].(string)
	rec := server.Record{Principal: p}
	rec.Epoch, err = num(a[1])
	for i, dst := range []*uint64{&rec.Delivered, &rec.Acked, &rec.Sent} {
		if err == nil {
			*dst, err = num(a[2+i])
		}
	}
	return rec, err
}

// Append implements server.Store: XADD under the epoch check, durable in
// Redis's memory when it returns (see docs/resume.md on persistence). A
// timeout or a dropped connection is retried until Redis answers or ctx
// ends (retry.go), so a Write is not reported failed while its frame is
// in the stream (and would be replayed to the client).
func (st *Store) Append(ctx context.Context, id string, epoch uint64, f server.Frame) error {
	_, err := st.runUntilKnown(ctx, appendScript, id, epoch, f.Seq, uint8(f.Type), f.Payload, st.maxFrames)
	return err
}

// Ack implements server.Store: frames ≤ upTo leave the stream at once
// (XTRIM MINID).
func (st *Store) Ack(ctx context.Context, id string, epoch uint64, upTo uint64) error {
	_, err := st.run(ctx, ackScript, id, epoch, upTo)
	return err
}

// Range implements server.Store: one XRANGE, read atomically with the
// counters. A gap in the stream (frames lost, e.g. trimmed by hand) is
// ErrReplayTrimmed, never a silent skip.
func (st *Store) Range(ctx context.Context, id string, after uint64, fn func(server.Frame) error) error {
	v, err := st.run(ctx, rangeScript, id, after)
	if err != nil {
		return err
	}
	a, ok := v.([]any)
	if !ok || len(a) < 1 {
		return errReply
	}
	sent, err := num(a[0])
	if err != nil || len(a) == 1 { // len 1: nothing after `after`
		return err
	}
	entries, _ := a[1].([]any)
	next := after + 1
	for _, e := range entries {
		f, err := frame(e)
		if err != nil {
			return err
		}
		if f.Seq != next {
			return server.ErrReplayTrimmed
		}
		if err := fn(f); err != nil {
			return err
		}
		next++
	}
	if next != sent+1 {
		return server.ErrReplayTrimmed
	}
	return nil
}

// frame decodes one XRANGE entry: [id, [field, value, ...]].
func frame(e any) (server.Frame, error) {
	pair, _ := e.([]any)
	if len(pair) != 2 {
		return server.Frame{}, errReply
	}
	id, _ := pair[0].(string)
	seqStr, _, _ := strings.Cut(id, "-")
	seq, err := strconv.ParseUint(seqStr, 10, 64)
	if err != nil {
		return server.Frame{}, errReply
	}
	f := server.Frame{Seq: seq}
	fields, _ := pair[1].([]any)
	for i := 0; i+1 < len(fields); i += 2 {
		k, _ := fields[i].(string)
		v, _ := fields[i+1].(string)
		switch k {
		case "t":
			t, err := strconv.ParseUint(v, 10, 8)
			if err != nil {
				return server.Frame{}, errReply
			}
			f.Type = sdk.MessageType(t)
		case "p":
			f.Payload = []byte(v)
		}
	}
	if f.Type != sdk.MessageText && f.Type != sdk.MessageBinary {
		return server.Frame{}, errReply
	}
	if f.Payload == nil {
		f.Payload = []byte{}
	}
	return f, nil
}

// SetDelivered implements server.Store (monotonic). A timeout or a
// dropped connection is retried until Redis answers or ctx ends
// (retry.go): a stall must not leave a message counted as delivered that
// no handler read.
func (st *Store) SetDelivered(ctx context.Context, id string, epoch uint64, n uint64) error {
	_, err := st.runUntilKnown(ctx, deliveredScript, id, epoch, n)
	return err
}

// Touch implements server.Store: PEXPIRE on both keys.
func (st *Store) Touch(ctx context.Context, id string, epoch uint64, ttl time.Duration) error {
	_, err := st.run(ctx, touchScript, id, epoch, ms(ttl))
	return err
}

// Delete implements server.Store. A stale epoch deletes nothing (the
// session lives on under its new owner).
func (st *Store) Delete(ctx context.Context, id string, epoch uint64) error {
	_, err := st.run(ctx, deleteScript, id, epoch)
	return err
}

func num(v any) (uint64, error) {
	switch x := v.(type) {
	case int64:
		if x >= 0 {
			return uint64(x), nil
		}
	case string:
		if n, err := strconv.ParseUint(x, 10, 64); err == nil {
			return n, nil
		}
	}
	return 0, errReply
}

var errReply = errors.New("redial/redisstore: unexpected reply from Redis")
