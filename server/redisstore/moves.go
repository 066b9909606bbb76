package redisstore

import (
	"context"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// NotifyMoves implements server.MoveNotifier: fn(id, epoch) runs for every
// Claim on any node of a session this Store's node owned, published by
// the claim script on this node's channel (Prefix+"moved:"+node). The
// first call subscribes (one Redis connection, re-established by go-redis
// after a drop); the last stop unsubscribes. Pub/sub is at most once: a
// notice lost while the subscription reconnects only makes the old
// handler end later, at its next store operation (every one carries the
// epoch and fails with server.ErrSessionMoved) or its next Touch (within
// SessionTTL/3). A Store made with a nil client or a braced Prefix
// subscribes to nothing (its every operation fails with ErrNilClient or
// ErrPrefixBraces) and returns a no-op stop.
func (st *Store) NotifyMoves(fn func(id string, epoch uint64)) (stop func()) {
	if st.invalid != nil {
		return func() {}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	key := st.nextID
	st.nextID++
	st.subs[key] = fn
	if st.ps == nil {
		st.ps = st.rdb.Subscribe(context.Background(), st.movedChannel())
		st.psDone = make(chan struct{})
		go st.listen(st.ps, st.psDone)
	}
	return func() {
		st.mu.Lock()
		if _, ok := st.subs[key]; !ok {
			st.mu.Unlock()
			return
		}
		delete(st.subs, key)
		ps := st.ps
		done := st.psDone
		if len(st.subs) == 0 {
			st.ps, st.psDone = nil, nil
		} else {
			ps = nil
		}
		st.mu.Unlock()
		if ps != nil {
			_ = ps.Close()
			<-done
		}
	}
}

// listen delivers move notices ("<epoch> <id>") until ps is closed.
func (st *Store) listen(ps *redis.PubSub, done chan struct{}) {
	defer close(done)
	for m := range ps.Channel() {
		e, id, ok := strings.Cut(m.Payload, " ")
		epoch, err := strconv.ParseUint(e, 10, 64)
		if !ok || err != nil {
			continue
		}
		st.mu.Lock()
		fns := make([]func(string, uint64), 0, len(st.subs))
		for _, fn := range st.subs {
			fns = append(fns, fn)
		}
		st.mu.Unlock()
		for _, fn := range fns {
			fn(id, epoch)
		}
	}
}
