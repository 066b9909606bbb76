package redisstore

import (
	"context"
	"errors"
	"reflect"
)

// ErrNilClient: the Store was made by New with a nil client (nil, or a
// typed nil such as (*redis.Client)(nil)). Every Store method returns it
// (the server wraps it in server.ErrStore: clients get 4013), and
// NotifyMoves subscribes to nothing; Ping returns it, so a deployment can
// refuse to start instead.
var ErrNilClient = errors.New("redial/redisstore: New was given a nil Redis client")

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
// has an earlier deadline): ErrNilClient for a Store made with a nil
// client, else go-redis's error. Call it at startup to fail fast; the
// server never calls it.
func (st *Store) Ping(ctx context.Context) error {
	if st.rdb == nil {
		return ErrNilClient
	}
	ctx, cancel := st.bound(ctx)
	defer cancel()
	return st.rdb.Ping(ctx).Err()
}
