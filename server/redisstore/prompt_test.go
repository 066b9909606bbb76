package redisstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redial-ws/redial/internal/sdktest"
	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
)

// TestMoveEndsOldHandlerAtOnce: a handler that makes no store calls
// (idle, SessionTTL an hour) still ends with ErrSessionMoved as soon as
// another node claims its session: the claim is published on the old
// node's channel. Without the notice it would end only after the hour.
// The real client, idle, is moved by the proxy (its connection cut, the
// reconnect sent to node 1).
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
	o := sdktest.Fast(&sdk.Options{Resume: true})
	opened := make(chan struct{}, 4)
	o.OnStateChange = func(e sdk.StateChange) {
		if e.To == sdk.StateOpen {
			opened <- struct{}{}
		}
	}
	c, err := sdk.Dial(ctx, cl.url(), o) // a new session on node 0
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close(sdk.StatusNormalClosure, "") }()
	<-opened
	start := time.Now()
	cl.moveTo(1)
	select {
	case e := <-ends:
		if e.resumed || !errors.Is(e.cause, server.ErrSessionMoved) {
			t.Fatalf("first handler to end: resumed %v, cause %v; want node 0's, ErrSessionMoved", e.resumed, e.cause)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("node 0's handler still runs 5 s after the move")
	}
	select {
	case <-opened:
	case <-ctx.Done():
		t.Fatal("the client did not resume on node 1")
	}
	t.Logf("node 0's handler ended %s after the cut that moved its client to node 1", time.Since(start).Round(time.Microsecond))
}
