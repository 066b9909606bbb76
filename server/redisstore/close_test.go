package redisstore_test

import (
	"testing"
	"time"
)

// TestServerCloseKeepsSessions is a rolling deploy: the real client
// streams both ways through node A; A closes gracefully (Server.Close:
// the client gets 1012) while the proxy already points at B. The client
// resumes its session on B (Redis is shared, so A's close must not delete
// it) and the streams finish with nothing lost, duplicated or reordered.
func TestServerCloseKeepsSessions(t *testing.T) {
	needRedis(t)
	client(t, shared) // flush
	const n = 2000
	app := newStreamApp(n)
	cl := startCluster(t, shared, 2, nil, app.handler)
	ctx := testCtx(t, time.Minute)
	res := streamClient(t, ctx, cl.url(), app)
	if err := res.waitProgress(ctx, 1, n/2); err != nil {
		t.Fatal(err)
	}
	cl.proxy.Retarget(cl.nodes[1].addr())
	if err := cl.nodes[0].srv.Close(); err != nil {
		t.Fatal(err)
	}
	l := res.complete(t, ctx, 2, 0)
	if l != (loss{}) {
		t.Fatal(l)
	}
	if err := app.check(); err != nil {
		t.Fatal(err)
	}
	if app.resumed.Load() != 1 {
		t.Fatalf("%d handlers resumed on B, want 1", app.resumed.Load())
	}
}
