package redisstore

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// An ambiguous write is one whose script may or may not have run: the
// request left for Redis and no reply came back (a timeout, a connection
// dropped mid-command). Redis stalled (paused, a long fork, a failover)
// runs such a script once it wakes, so giving up at the first timeout can
// leave the session changed while the server believes it was not (a
// message counted as delivered that no handler read). SetDelivered and
// Append are idempotent and fenced by epoch, so runUntilKnown repeats them
// until Redis answers: applied (nil: also when the lost attempt had run),
// fenced (server.ErrSessionMoved) or another definitive reply. The
// session's ctx bounds the retries: the server passes its session ctx, so
// they stop when the session ends for another reason (moved, expired,
// its connection's Touch or Ack failed, the server closed); the write's
// fate is then unknown, as when a node dies (docs/resume.md).

// retryFirst and retryMax bound the pause between two attempts: doubling
// from 10 ms to 1 s, so a Redis back after a stall is seen within 1 s and
// one that stays away costs about one attempt per second per blocked call.
const (
	retryFirst = 10 * time.Millisecond
	retryMax   = time.Second
)

// runUntilKnown is run, repeated while its error is not a reply from Redis
// (see above) and ctx lasts; each attempt has the store's timeout unless
// ctx has a deadline. It returns the last attempt's error.
func (st *Store) runUntilKnown(ctx context.Context, s *redis.Script, id string, args ...any) (any, error) {
	wait := retryFirst
	for {
		v, err := st.eval(ctx, s, id, args...)
		if err == nil || definitive(err) || ctx.Err() != nil {
			return v, mapErr(err)
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return v, mapErr(err)
		}
		wait = min(2*wait, retryMax)
	}
}

// definitive reports whether err settles what a script did: a reply from
// Redis (an error reply: the script ran and refused, or never started), a
// closed client (nothing more will be sent), or the Store's own refusal
// (ErrNilClient, ErrPrefixBraces). Anything else (timeouts, dropped or
// refused connections) is retried: a refused connection after an attempt
// that timed out does not say whether that attempt ran.
func definitive(err error) bool {
	var re redis.Error
	return errors.As(err, &re) || errors.Is(err, redis.ErrClosed) || errors.Is(err, ErrNilClient) || errors.Is(err, ErrPrefixBraces)
}
