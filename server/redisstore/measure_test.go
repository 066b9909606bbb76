package redisstore_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
	"github.com/redial-ws/redial/server/redisstore"
	"github.com/redis/go-redis/v9"
)

// commandCalls sums the calls in INFO commandstats, INFO itself excluded
// (the commands a script runs count too).
func commandCalls(t *testing.T, rdb *redis.Client) (total int64, byCmd map[string]int64) {
	t.Helper()
	info, err := rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	byCmd = make(map[string]int64)
	for _, line := range strings.Split(info, "\n") {
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":calls=")
		if !ok || name == "cmdstat_info" {
			continue
		}
		calls, _, _ := strings.Cut(rest, ",")
		n, _ := strconv.ParseInt(calls, 10, 64)
		byCmd[strings.TrimPrefix(name, "cmdstat_")] = n
		total += n
	}
	return total, byCmd
}

// streamOnce streams n messages each way through one node using store and
// returns the time both took.
func streamOnce(t *testing.T, store server.Store, n int) time.Duration {
	app := newStreamApp(n)
	srv := server.New(&server.Options{Store: store}, app.handler)
	hs := httptest.NewServer(srv)
	defer func() { _ = srv.Close(); hs.CloseClientConnections(); hs.Close() }()
	ctx := testCtx(t, 2*time.Minute)
	start := time.Now()
	res := streamClient(t, ctx, "ws"+strings.TrimPrefix(hs.URL, "http")+"/", app)
	if l := res.complete(t, ctx, 1, 0); l != (loss{}) {
		t.Fatal(l)
	}
	if err := app.check(); err != nil {
		t.Fatal(err)
	}
	return time.Since(start)
}

// TestMeasureCost logs the Redis store's cost against the MemoryStore:
// the throughput ratio of an n-message stream each way on one node, Redis
// round trips per message (INFO commandstats), and the memory an idle
// session takes in Redis (MEMORY USAGE of its two keys, and used_memory
// over 1,000 sessions). Numbers only; REDIAL_MEASURE_N sets n (default
// 5,000; run without -race for the figures in BENCHMARKS.md), and
// REDIAL_MEASURE_OUT names a file that gets them as key<TAB>value lines
// (make bench's piece 70 puts them in BENCHMARKS.md).
func TestMeasureCost(t *testing.T) {
	needRedis(t)
	rdb := client(t, shared)
	ctx := context.Background()
	n := 5000
	if v, err := strconv.Atoi(os.Getenv("REDIAL_MEASURE_N")); err == nil && v > 0 {
		n = v
	}
	mem := streamOnce(t, server.NewMemoryStore(nil), n)
	if err := rdb.ConfigResetStat(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	red := streamOnce(t, redisstore.New(rdb, nil), n)
	calls, byCmd := commandCalls(t, rdb)
	perSec := func(d time.Duration) float64 { return float64(2*n) / d.Seconds() }
	t.Logf("%d messages each way, one node, one client: MemoryStore %s (%.0f msg/s), Redis %s (%.0f msg/s): ratio %.2f",
		n, mem.Round(time.Millisecond), perSec(mem), red.Round(time.Millisecond), perSec(red), perSec(red)/perSec(mem))
	trips := byCmd["evalsha"] + byCmd["eval"] // one per store operation; commandstats also counts the scripts' inner calls
	t.Logf("Redis round trips (EVALSHA+EVAL): %d for %d messages = %.3f per message; commands run inside Redis: %.2f per message (%v)",
		trips, 2*n, float64(trips)/float64(2*n), float64(calls-trips)/float64(2*n), byCmd)

	// Idle sessions: created, one message written, acked and delivered.
	if err := rdb.FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	usedMemory := func() int64 {
		info, err := rdb.Info(ctx, "memory").Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(info, "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
				n, _ := strconv.ParseInt(v, 10, 64)
				return n
			}
		}
		t.Fatal("no used_memory in INFO memory")
		return 0
	}
	st := redisstore.New(rdb, nil)
	const sessions = 1000
	before := usedMemory()
	var id string
	for i := range sessions {
		id = fmt.Sprintf("%032x", i+1)
		if _, err := st.Create(ctx, id, "user-"+strconv.Itoa(i), 2*time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := st.Append(ctx, id, 1, server.Frame{Seq: 1, Type: sdk.MessageText, Payload: []byte("hello")}); err != nil {
			t.Fatal(err)
		}
		if err := st.Ack(ctx, id, 1, 1); err != nil {
			t.Fatal(err)
		}
		if err := st.SetDelivered(ctx, id, 1, 1); err != nil {
			t.Fatal(err)
		}
	}
	after := usedMemory()
	hash, err := rdb.MemoryUsage(ctx, "redial:{"+id+"}").Result()
	if err != nil {
		t.Fatal(err)
	}
	stream, err := rdb.MemoryUsage(ctx, "redial:{"+id+"}:out").Result()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("idle session in Redis: MEMORY USAGE hash %d B + stream %d B = %d B; used_memory over %d sessions: %d B each",
		hash, stream, hash+stream, sessions, (after-before)/sessions)
	if out := os.Getenv("REDIAL_MEASURE_OUT"); out != "" { // for make bench (bench/run.d/70-redis-capacity.sh)
		figures := fmt.Sprintf("n\t%d\nmem_rate\t%.0f\nredis_rate\t%.0f\nratio\t%.2f\ntrips_per_msg\t%.3f\ncmds_per_msg\t%.2f\n"+
			"idle_usage_b\t%d\nidle_used_memory_b\t%d\ncommand\tREDIAL_MEASURE_N=%d go test -count=1 -run TestMeasureCost -v ./server/redisstore\n",
			n, perSec(mem), perSec(red), perSec(red)/perSec(mem), float64(trips)/float64(2*n), float64(calls-trips)/float64(2*n),
			hash+stream, (after-before)/sessions, n)
		if err := os.WriteFile(out, []byte(figures), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
