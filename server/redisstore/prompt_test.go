package redisstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redial-ws/redial/internal/resumewire"
	"github.com/redial-ws/redial/server"
)

// TestMoveEndsOldHandlerAtOnce: a handler that makes no store calls
// (idle, its client gone, SessionTTL an hour) still ends with
// ErrSessionMoved as soon as another node claims its session: the claim
// is published on the old node's channel. Without the notice it would
// end only after the hour.
func TestMoveEndsOldHandlerAtOnce(t *testing.T) {
	needRedis(t)
	client(t, shared)
	ctx := testCtx(t, 30*time.Second)
	type end struct {
		resumed bool
		cause   error
	}
	ends := make(chan end, 2)
	cl := startCluster(t, shared, 2, &server.Options{SessionTTL: time.Hour}, func(ctx context.Context, s *server.Session) {
		<-ctx.Done()
		ends <- end{s.Resumed(), context.Cause(ctx)}
	})
	w, code, err := helloOnce(ctx, cl.url(), nil) // on node 0; closed without a close frame: detached
	if err != nil || w.Kind != resumewire.KindWelcome {
		t.Fatalf("new session: close %d, %v", code, err)
	}
	cl.moveTo(1)
	start := time.Now()
	if w2, code, err := helloOnce(ctx, cl.url(), &w.ID); err != nil || w2.Kind != resumewire.KindWelcome || w2.Flags != resumewire.FlagResume {
		t.Fatalf("resume on node 1: close %d, %v", code, err)
	}
	select {
	case e := <-ends:
		if e.resumed || !errors.Is(e.cause, server.ErrSessionMoved) {
			t.Fatalf("first handler to end: resumed %v, cause %v; want node 0's, ErrSessionMoved", e.resumed, e.cause)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("node 0's handler still runs 5 s after the move")
	}
	t.Logf("node 0's handler ended %s after the resume on node 1 began", time.Since(start).Round(time.Microsecond))
}
