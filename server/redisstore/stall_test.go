package redisstore_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redial-ws/redial/internal/sdktest"
	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
	"github.com/redial-ws/redial/server/redisstore"
	"github.com/redis/go-redis/v9"
)

// scriptErrs is a go-redis hook that rings failed for each script command
// (EVALSHA, EVAL) that ended with an error other than a Redis reply.
type scriptErrs struct{ failed chan struct{} }

func (h scriptErrs) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h scriptErrs) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h scriptErrs) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		var re redis.Error
		if n := cmd.Name(); err != nil && !errors.As(err, &re) && (n == "evalsha" || n == "eval") {
			ring(h.failed)
		}
		return err
	}
}

// TestStallKeepsInbound: Redis stalls (SIGSTOP, no node dies) while a
// handler's Read records message m10 as delivered. The store's first
// attempt times out (Options.Timeout 500 ms, the go-redis client with
// ContextTimeoutEnabled) although its script sits in Redis's socket
// buffer and runs at SIGCONT. The handler must still get m10, then m11,
// in the same session: before the fix Read failed with ErrStore, the
// client resumed, was told m10 was delivered, dropped it, and no handler
// ever read it.
func TestStallKeepsInbound(t *testing.T) {
	needRedis(t)
	sr := startStall(t)
	for i := range 10 {
		sr.send(i)
		sr.expect(i)
	}
	sr.stall(func() { sr.send(10) })
	sr.expect(10)
	sr.send(11)
	sr.expect(11)
	sr.stillOne()
}

// TestStallKeepsOutbound: the same stall while a handler's Write appends
// its frame. The Write must succeed (its frame is in the stream and
// reaches the client) rather than fail while the frame is replayed anyway
// (before the fix: Write returned ErrStore, yet the client read the
// frame after its resume: a duplicate when the app wrote it again).
func TestStallKeepsOutbound(t *testing.T) {
	needRedis(t)
	sr := startStall(t)
	sr.send(0)
	sr.expect(0)
	sr.send(-1) // the handler reads "w", then writes "s1" once told
	select {
	case <-sr.readW:
	case <-sr.ctx.Done():
		t.Fatal("handler never read w")
	}
	sr.stall(func() { close(sr.doWrite) })
	select {
	case err := <-sr.wrote:
		if err != nil {
			t.Fatalf("handler Write during the stall: %v", err)
		}
	case <-sr.ctx.Done():
		t.Fatal("handler Write never returned")
	}
	typ, p, err := sr.c.Read(sr.ctx)
	if err != nil || typ != sdk.MessageText || string(p) != "s1" {
		t.Fatalf("client read %v %q %v, want s1", typ, p, err)
	}
	sr.stillOne()
}

// TestStallThenServerClose: the node closes (Server.Close) while a
// handler's Read waits on a stalled Redis. Close does not wait for Redis:
// the store's retries stop with the session, Read returns
// ErrServerClosed, and the message's fate is the documented bound (it may
// be marked delivered once Redis runs the queued script).
func TestStallThenServerClose(t *testing.T) {
	needRedis(t)
	sr := startStall(t)
	sr.send(0)
	sr.expect(0)
	sr.r.pause()
	defer sr.r.cont()
	select { // drop a ring from before the stall
	case <-sr.hook.failed:
	default:
	}
	sr.send(1)
	select {
	case <-sr.hook.failed:
	case <-sr.ctx.Done():
		t.Fatal("no store call failed while Redis was stopped")
	}
	if err := sr.srv.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-sr.runs:
		if err != server.ErrServerClosed {
			t.Fatalf("Read ended with %v, want ErrServerClosed", err)
		}
	case p := <-sr.got:
		t.Fatalf("handler read %s while Redis was stopped", p)
	case <-sr.ctx.Done():
		t.Fatal("handler never ended")
	}
}

// stallRun is one node on its own redis-server (which the test pauses)
// and a real resume client. A handler reads "m<i>" into got; on "w" it
// rings readW, waits for doWrite, writes "s1" and reports the Write's
// error on wrote.
type stallRun struct {
	t       *testing.T
	r       *redisProc
	srv     *server.Server
	hook    scriptErrs
	ctx     context.Context
	c       *sdk.Conn
	got     chan string
	readW   chan struct{} // the handler read "w"
	doWrite chan struct{} // closed: the handler may write "s1"
	wrote   chan error
	runs    chan error // each handler's end
}

func startStall(t *testing.T) *stallRun {
	r, err := startRedis(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.cont(); r.kill() })
	o := redisOptions(r.addr)
	o.ContextTimeoutEnabled = true
	rdb := redis.NewClient(o)
	sr := &stallRun{
		t: t, r: r, hook: scriptErrs{failed: make(chan struct{}, 1)},
		got: make(chan string, 100), wrote: make(chan error, 1), runs: make(chan error, 10),
		readW: make(chan struct{}, 1), doWrite: make(chan struct{}),
	}
	rdb.AddHook(sr.hook)
	t.Cleanup(func() { _ = rdb.Close() })
	st := redisstore.New(rdb, &redisstore.Options{Timeout: 500 * time.Millisecond})
	srv := server.New(&server.Options{Store: st}, func(ctx context.Context, s *server.Session) {
		for {
			_, p, err := s.Read(ctx)
			if err != nil {
				sr.runs <- err
				return
			}
			if string(p) == "w" {
				sr.readW <- struct{}{}
				<-sr.doWrite
				sr.wrote <- s.Write(ctx, sdk.MessageText, []byte("s1"))
				continue
			}
			sr.got <- string(p)
		}
	})
	sr.srv = srv
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { _ = srv.Close(); hs.Close() })
	sr.ctx = testCtx(t, time.Minute)
	opts := sdktest.Fast(&sdk.Options{Resume: true})
	opts.MaxRetries = 0
	sr.c, err = sdk.Dial(sr.ctx, "ws://"+strings.TrimPrefix(hs.URL, "http://")+"/", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sr.c.Close(sdk.StatusNormalClosure, "") })
	return sr
}

// send writes "m<i>" from the client ("w" for i < 0).
func (sr *stallRun) send(i int) {
	sr.t.Helper()
	p := "w"
	if i >= 0 {
		p = "m" + strconv.Itoa(i)
	}
	if err := sr.c.Write(sr.ctx, sdk.MessageText, []byte(p)); err != nil {
		sr.t.Fatal(err)
	}
}

// expect waits for the handlers to read "m<i>" next.
func (sr *stallRun) expect(i int) {
	sr.t.Helper()
	select {
	case p := <-sr.got:
		if p != "m"+strconv.Itoa(i) {
			sr.t.Fatalf("handler read %s, want m%d", p, i)
		}
	case err := <-sr.runs:
		sr.t.Fatalf("handler ended before m%d: %v", i, err)
	case <-sr.ctx.Done():
		sr.t.Fatalf("handler never read m%d", i)
	}
}

// stall pauses Redis, runs fn, waits until a store script failed without
// a reply (its request is queued in the stopped Redis) and resumes Redis.
func (sr *stallRun) stall(fn func()) {
	sr.t.Helper()
	sr.r.pause()
	select { // drop a ring from before the stall
	case <-sr.hook.failed:
	default:
	}
	fn()
	select {
	case <-sr.hook.failed:
	case <-sr.ctx.Done():
		sr.r.cont()
		sr.t.Fatal("no store call failed while Redis was stopped")
	}
	sr.r.cont()
}

// stillOne fails if a handler ended: the stall must not end the session.
func (sr *stallRun) stillOne() {
	sr.t.Helper()
	select {
	case err := <-sr.runs:
		sr.t.Fatalf("the session ended during the stall: %v", err)
	default:
	}
}
