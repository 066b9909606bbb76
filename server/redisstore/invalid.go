package redisstore

import (
	"context"
	"errors"
	"reflect"
	"strings"
)

// ErrNilClient: the Store was made by New with a nil client (nil, or a
// typed nil such as (*redis.Client)(nil)). Every Store method returns it
// (the server wraps it in server.ErrStore: clients get 4013), and
// NotifyMoves subscribes to nothing; Ping returns it, so a deployment can
// refuse to start instead.
var ErrNilClient = errors.New("redial/redisstore: New was given a nil Redis client")

// ErrPrefixBraces: Options.Prefix contains '{' or '}'. Redis Cluster
// hashes only a key's first {…}, so such a prefix would become every
// key's hash tag and put every session in one slot; the Store refuses it
// the way it refuses a nil client (every method and Ping return it).
var ErrPrefixBraces = errors.New("redial/redisstore: Options.Prefix must not contain '{' or '}' (it would be every key's Redis Cluster hash tag)")

// invalid is why New's arguments cannot work (nil: they can).
func invalid(rdb any, prefix string) error {
	switch {
	case isNil(rdb):
		return ErrNilClient
	case strings.ContainsAny(prefix, "{}"):
		return ErrPrefixBraces
	}
	return nil
}

// isNil reports whether rdb is nil or an interface holding a nil pointer
// (a typed nil passes a plain == nil check and panics at first use).
func isNil(rdb any) bool {
	if rdb == nil {
		return true
	}
	v := reflect.ValueOf(rdb)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// Ping checks that Redis answers (PING, within Options.Timeout unless ctx
// has an earlier deadline): ErrNilClient or ErrPrefixBraces for a Store
// New could not make work, else go-redis's error. Call it at startup to
// fail fast; the server never calls it.
func (st *Store) Ping(ctx context.Context) error {
	if st.invalid != nil {
		return st.invalid
	}
	ctx, cancel := st.bound(ctx)
	defer cancel()
	return st.rdb.Ping(ctx).Err()
}
