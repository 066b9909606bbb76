package redisstore_test

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"
)

// TestMovesAcrossNodes streams n messages each way at once between the
// real client (sdk.Conn, Options.Resume) and the nodes while the proxy
// moves the client to the next node (round robin) `moves` times, each
// move hitting a live connection mid-stream. Every move starts a handler
// on the new node with Resumed() true, which continues the outbound
// stream at Session.Written(); the old node's handler ends with
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
			res := streamClient(t, ctx, cl.url(), app)
			step := int64(2*n) * 9 / 10 / int64(moves)
			for i := range moves {
				// A connection opened since the last move (on the node
				// moved to), and progress since.
				if err := res.waitProgress(ctx, int64(i+1), int64(i+1)*step); err != nil {
					t.Fatalf("move %d: %v", i, err)
				}
				cl.moveTo((i + 1) % k)
			}
			l := res.complete(t, ctx, int64(moves)+1, 0)
			if l != (loss{}) {
				t.Fatal(l)
			}
			if err := app.check(); err != nil {
				t.Fatal(err)
			}
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
			t.Logf("LOSS TABLE | %d nodes | %d moves | %d messages each way | %s | %d connections, %s; handler ends %s",
				k, moves, n, l, res.opens.Load(), time.Since(started).Round(time.Millisecond), causes)
		})
	}
}
