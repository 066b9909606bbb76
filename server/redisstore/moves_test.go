package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redial-ws/redial/internal/resumetest"
	"github.com/redial-ws/redial/internal/resumewire"
)

// TestMovesAcrossNodes streams n messages each way at once while the
// proxy moves the client to the next node (round robin) `moves` times,
// each move hitting a live connection mid-stream. Every move starts a
// handler on the new node with Resumed() true, which continues the
// outbound stream at Session.Written(); the old node's handler ends with
// ErrSessionMoved. Counted on the client and summed over the handlers of
// every node: 0 lost, 0 duplicated, order kept.
//
// REDIAL_RESUME_SHORT=1 scales it to 2,000 messages and 40 moves.
func TestMovesAcrossNodes(t *testing.T) {
	needRedis(t)
	n, moves := 10000, 200
	if os.Getenv("REDIAL_RESUME_SHORT") == "1" {
		n, moves = 2000, 40
	}
	for _, k := range []int{2, 3} {
		t.Run(strconv.Itoa(k)+"nodes", func(t *testing.T) {
			client(t, shared) // flush
			app := newStreamApp(n)
			cl := startCluster(t, shared, k, nil, app.handler)
			ctx := testCtx(t, 3*time.Minute)
			started := time.Now()
			c, res := streamClient(t, ctx, cl.url(), app)
			step := int64(2*n) * 9 / 10 / int64(moves)
			for i := range moves {
				if err := res.waitProgress(ctx, c, int64(i+1)*step); err != nil {
					t.Fatalf("move %d: %v", i, err)
				}
				cl.moveTo((i + 1) % k)
			}
			res.finish(t, ctx, c, app)
			if runs := app.runs.Load(); runs != int64(moves)+1 || app.resumed.Load() != int64(moves) {
				t.Fatalf("%d handler runs (%d resumed) for %d moves", runs, app.resumed.Load(), moves)
			}
			app.mu.Lock()
			causes := fmt.Sprint(app.causes)
			movedEnds := app.causes["moved"]
			app.mu.Unlock()
			if movedEnds != moves {
				t.Fatalf("handler ends: %s; want %d moved", causes, moves)
			}
			t.Logf("%d nodes, %d messages each way, %d moves, %d connections, %s: 0 lost, 0 duplicated, in order "+
				"(client and the sum over %d handlers); handler ends %s",
				k, n, moves, c.Conns.Load(), time.Since(started).Round(time.Millisecond), app.runs.Load(), causes)
		})
	}
}

// streamRun tracks the client side of a streamApp run.
type streamRun struct {
	got      atomic.Int64
	err      atomic.Pointer[string]
	progress chan struct{}
	runErr   chan error
	sendErr  chan error
	app      *streamApp
}

// streamClient starts a resume client that sends "c0".."c<n-1>" and checks
// it gets "s0".."s<n-1>" in order, exactly once.
func streamClient(t testing.TB, ctx context.Context, url string, app *streamApp) (*resumetest.Client, *streamRun) {
	r := &streamRun{progress: make(chan struct{}, 1), runErr: make(chan error, 1), sendErr: make(chan error, 1), app: app}
	c := resumetest.New(url, func(kind byte, p []byte) {
		i := r.got.Load()
		if want := "s" + strconv.FormatInt(i, 10); kind != resumewire.KindDataBinary || string(p) != want {
			msg := "client: message " + strconv.FormatInt(i, 10) + " is " + strconv.Quote(string(p)) + ", want " + want
			r.err.CompareAndSwap(nil, &msg)
		}
		r.got.Add(1)
		ring(r.progress)
	})
	go func() { r.runErr <- c.Run(ctx) }()
	go func() {
		for i := range app.n {
			if err := c.Send(ctx, resumewire.KindDataText, []byte("c"+strconv.Itoa(i))); err != nil {
				r.sendErr <- err
				return
			}
		}
		r.sendErr <- nil
	}()
	return c, r
}

// waitProgress waits for a live connection and for client+server to have
// got at least `total` messages (20 s without progress fails).
func (r *streamRun) waitProgress(ctx context.Context, c *resumetest.Client, total int64) error {
	stall := time.NewTimer(20 * time.Second)
	defer stall.Stop()
	select {
	case <-c.Connected:
	case <-stall.C:
		return errors.New("no connection within 20 s")
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	for r.got.Load()+int64(r.app.serverGot()) < total {
		select {
		case <-r.progress:
		case <-r.app.progress:
		case err := <-r.runErr:
			return fmt.Errorf("client ended: %w", err)
		case <-stall.C:
			return fmt.Errorf("stuck for 20 s at %d+%d", r.app.serverGot(), r.got.Load())
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	return nil
}

// finish waits for both streams to complete, closes the session and
// checks the invariant on both ends.
func (r *streamRun) finish(t testing.TB, ctx context.Context, c *resumetest.Client, app *streamApp) {
	t.Helper()
	r.complete(t, ctx, c, app, false)
	if err := app.check(); err != nil {
		t.Fatal(err)
	}
}

// finishKilled is finish after a node was killed: the killed handler may
// have read one message it did not log (see TestNodeKilled).
func (r *streamRun) finishKilled(t testing.TB, ctx context.Context, c *resumetest.Client, app *streamApp) {
	t.Helper()
	r.complete(t, ctx, c, app, true)
	if err := app.checkKilled(t); err != nil {
		t.Fatal(err)
	}
}

func (r *streamRun) complete(t testing.TB, ctx context.Context, c *resumetest.Client, app *streamApp, killed bool) {
	t.Helper()
	for k := c.Conns.Load(); c.Conns.Load() <= k; { // a connection after the last move
		select {
		case <-c.Connected:
		case <-ctx.Done():
			t.Fatalf("no reconnect after the last move: %v", context.Cause(ctx))
		}
	}
	if err := <-r.sendErr; err != nil {
		t.Fatal(err)
	}
	n := int64(app.n)
	minServer := n
	if killed {
		minServer-- // the unlogged read, if any; the client's acks tell the rest
	}
	for r.got.Load() < n || c.Win.Acked() < uint64(n) || int64(app.serverGot()) < minServer {
		select {
		case <-r.progress:
		case <-app.progress:
		case <-c.Win.Released():
		case <-time.After(20 * time.Millisecond): // a late ACK rings nothing; re-check
		case <-ctx.Done():
			t.Fatalf("stuck: client got %d, acked %d, handlers got %d", r.got.Load(), c.Win.Acked(), app.serverGot())
		}
	}
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-r.runErr; err != nil {
		t.Fatalf("client run: %v", err)
	}
	if p := r.err.Load(); p != nil || r.got.Load() != n {
		t.Fatalf("client: got %d of %d: %v", r.got.Load(), n, p)
	}
}
