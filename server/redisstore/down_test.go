package redisstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/redial-ws/redial/internal/resumetest"
	"github.com/redial-ws/redial/internal/resumewire"
)

// helloOnce dials url, sends a HELLO (a new session when id is nil) and
// returns the WELCOME, or the close code the server answered with.
func helloOnce(ctx context.Context, url string, id *resumewire.SessionID) (resumewire.Frame, websocket.StatusCode, error) {
	ws, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return resumewire.Frame{}, 0, err
	}
	defer ws.CloseNow()
	f := resumewire.Frame{Kind: resumewire.KindHello, Version: resumewire.Version}
	if id != nil {
		f.Flags, f.ID = resumewire.FlagResume, *id
	}
	if err := ws.Write(ctx, websocket.MessageBinary, resumewire.Append(nil, &f)); err != nil {
		return resumewire.Frame{}, 0, err
	}
	_, b, err := ws.Read(ctx)
	if err != nil {
		if code := websocket.CloseStatus(err); code != -1 {
			return resumewire.Frame{}, code, nil
		}
		return resumewire.Frame{}, 0, err
	}
	w, err := resumewire.Decode(b)
	return w, 0, err
}

// TestRedisDownThenRestarted: Redis dies mid-stream (SIGKILL, persistence
// off). While it is down the session's next store operation fails: the
// client is closed with 4013 and retries, each resume attempt and each new
// session is refused with 4013 (retryable), never served as a fresh
// session. Redis comes back empty: the client's next attempt ends with
// 4504 (ErrSessionLost), and what it got before was gapless, in order.
func TestRedisDownThenRestarted(t *testing.T) {
	needRedis(t)
	r, err := startRedis(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	cur := r // the running redis-server; killed after the nodes closed
	t.Cleanup(func() { cur.kill() })
	n := 100000 // never completes: Redis dies at 10%
	app := newStreamApp(n)
	cl := startCluster(t, r, 1, nil, app.handler)
	ctx := testCtx(t, time.Minute)
	c, res := streamClient(t, ctx, cl.url(), app)
	if err := res.waitProgress(ctx, c, int64(2*n)/10/10); err != nil {
		t.Fatal(err)
	}
	r.kill()
	for c.Refused.Load() < 3 { // the session's end, then retries of the resume
		select {
		case err := <-res.runErr:
			t.Fatalf("client ended while Redis was down: %v", err)
		case <-time.After(10 * time.Millisecond):
		case <-ctx.Done():
			t.Fatalf("no 4013 while Redis is down: %d refusals", c.Refused.Load())
		}
	}
	if _, code, err := helloOnce(ctx, cl.url(), nil); err != nil || code != 4013 {
		t.Fatalf("a new session while Redis is down: close %d, %v; want 4013", code, err)
	}
	got := res.got.Load()
	cur, err = startRedis(r.dir, r.port())
	if err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-res.runErr:
		if !errors.Is(err, resumetest.ErrSessionLost) {
			t.Fatalf("after the restart the client ended with %v, want 4504", err)
		}
	case <-ctx.Done():
		t.Fatal("the client did not end after Redis came back empty")
	}
	if p := res.err.Load(); p != nil {
		t.Fatal(*p)
	}
	app.mu.Lock()
	appErr := app.err
	app.mu.Unlock()
	if appErr != nil {
		t.Fatal(appErr)
	}
	if w, code, err := helloOnce(ctx, cl.url(), nil); err != nil || w.Kind != resumewire.KindWelcome {
		t.Fatalf("a new session after the restart: close %d, %v", code, err)
	}
	t.Logf("Redis killed after %d+%d messages; %d refusals (4013) while down, then 4504; "+
		"the client got %d messages, gapless and in order", app.serverGot(), got, c.Refused.Load(), res.got.Load())
}
