package redisstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redial-ws/redial/internal/sdktest"
	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
)

// newSession dials a new session with the real client, giving up after
// `retries` retries; on success it is closed at once.
func newSession(ctx context.Context, url string, retries int) error {
	o := sdktest.Fast(&sdk.Options{Resume: true})
	o.MaxRetries = retries
	c, err := sdk.Dial(ctx, url, o)
	if err != nil {
		return err
	}
	return c.Close(sdk.StatusNormalClosure, "")
}

// TestRedisDownThenRestarted: Redis dies mid-stream (SIGKILL, persistence
// off) under the real client. While it is down the session's next store
// operation fails: the node closes with 4013, and the client keeps its
// session and retries; each resume attempt is refused with 4013
// (retryable), never served as a fresh session, and a new session fails
// with a *sdk.CloseError 4013 "session store unavailable" once its retry
// budget is spent (or, retrying without one, with its ctx's end naming
// that last 4013). Redis comes
// back empty: the client's next resume gets 4504 and the Conn ends with
// an error matching sdk.ErrSessionLost; what it read before was gapless
// and in order, and a new session works again.
func TestRedisDownThenRestarted(t *testing.T) {
	needRedis(t)
	r, err := startRedis(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	cur := r // the running redis-server; killed after the nodes closed
	t.Cleanup(func() { cur.kill() })
	n := 100000 // never completes: Redis dies at 1%
	app := newStreamApp(n)
	cl := startCluster(t, r, 1, nil, app.handler)
	ctx := testCtx(t, time.Minute)
	res := streamClient(t, ctx, cl.url(), app)
	if err := res.waitProgress(ctx, 1, int64(2*n)/100); err != nil {
		t.Fatal(err)
	}
	r.kill()
	for res.refused.Load() < 3 { // the session's end, then retries of the resume
		select {
		case err := <-res.readErr:
			t.Fatalf("client ended while Redis was down: %v", err)
		case <-time.After(5 * time.Millisecond): // no doorbell for refusals; re-check
		case <-ctx.Done():
			t.Fatalf("no 4013 while Redis is down: %d refusals", res.refused.Load())
		}
	}
	if s := res.c.State(); s == sdk.StateClosed {
		t.Fatalf("client state %v while Redis is down, want it retrying", s)
	}
	var ce *sdk.CloseError
	err = newSession(ctx, cl.url(), 2)
	if !errors.As(err, &ce) || ce.Code != server.StatusStoreUnavailable || !strings.Contains(err.Error(), "session store unavailable") {
		t.Fatalf("a new session while Redis is down: %v; want close 4013 \"session store unavailable\"", err)
	}
	t.Logf("a new session while Redis is down: %v", err)
	dctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond) // retries without a budget: ctx ends them
	err = newSession(dctx, cl.url(), 0)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "4013") ||
		!strings.Contains(err.Error(), "session store unavailable") {
		t.Fatalf("a new session while Redis is down, default retries, ctx ended: %v; want the deadline and the last 4013", err)
	}
	t.Logf("the same with the default retries, ctx ended: %v", err)
	got := res.cli.got.Load()
	cur, err = startRedis(r.dir, r.port())
	if err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-res.readErr:
		if !errors.Is(err, sdk.ErrSessionLost) || !errors.As(err, &ce) || ce.Code != 4504 {
			t.Fatalf("after the restart the client ended with %v, want ErrSessionLost (4504)", err)
		}
		t.Logf("the client's end: %v", err)
	case <-ctx.Done():
		t.Fatal("the client did not end after Redis came back empty")
	}
	res.cli.mu.Lock()
	first, dup, lost := res.cli.first, res.cli.dup, res.cli.lost
	res.cli.mu.Unlock()
	if first != "" || dup != 0 || lost != 0 {
		t.Fatalf("client: %d lost, %d duplicated before the end: %s", lost, dup, first)
	}
	app.mu.Lock()
	appErr := app.err
	app.mu.Unlock()
	if appErr != nil {
		t.Fatal(appErr)
	}
	if runs := app.runs.Load(); runs != 1 {
		t.Fatalf("%d handlers ran; want 1: no session was served fresh in place of the resumed one", runs)
	}
	if err := newSession(ctx, cl.url(), 0); err != nil {
		t.Fatalf("a new session after the restart: %v", err)
	}
	t.Logf("Redis killed after %d+%d messages; %d refusals (4013) while down, then 4504; "+
		"the client read %d messages, gapless and in order", app.serverGot(), got, res.refused.Load(), res.cli.got.Load())
}
