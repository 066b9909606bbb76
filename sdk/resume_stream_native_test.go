//go:build !js

package sdk_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redial-ws/redial/internal/testserver"
	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
)

// seqCheck is what an app on either end counts: message i must be the
// i-th it gets. dup counts a message at or below one already seen (a
// duplicate or a reorder), lost the numbers skipped.
type seqCheck struct {
	mu        sync.Mutex
	next      int
	dup, lost int
	got       atomic.Int64 // messages taken, whatever their number
}

func (s *seqCheck) see(t *testing.T, p []byte, prefix string) {
	i, err := strconv.Atoi(strings.TrimPrefix(string(p), prefix))
	if err != nil || !strings.HasPrefix(string(p), prefix) {
		t.Errorf("message %q is not %s<n>", p, prefix)
		return
	}
	s.mu.Lock()
	switch {
	case i == s.next:
		s.next++
	case i < s.next:
		s.dup++
	default:
		s.lost += i - s.next
		s.next = i + 1
	}
	s.mu.Unlock()
	s.got.Add(1)
}

func (s *seqCheck) counts() (next, dup, lost int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.next, s.dup, s.lost
}

// streamFixture is a real server.New handler on loopback behind the fault
// proxy; the handler streams n messages "s<i>" to its client and checks
// the client's "c<i>", counting across sessions (a plain client gets a
// new session per connection; so the stream continues where the last
// successful Write left it).
type streamFixture struct {
	proxy          *testserver.Proxy
	srvGot         seqCheck
	srvSent        atomic.Int64
	url            string
	n              int
	srv            *server.Server
	handlers, done atomic.Int64
}

func startStream(t *testing.T, n int, opts *server.Options) *streamFixture {
	t.Helper()
	f := &streamFixture{n: n}
	var wmu sync.Mutex // one handler writes at a time (plain: one per connection)
	f.srv = server.New(opts, func(ctx context.Context, s *server.Session) {
		f.handlers.Add(1)
		defer f.done.Add(1)
		go func() {
			wmu.Lock()
			defer wmu.Unlock()
			var buf []byte
			for k := f.srvSent.Load(); k < int64(n); k = f.srvSent.Load() {
				buf = strconv.AppendInt(append(buf[:0], 's'), k, 10)
				if s.Write(ctx, sdk.MessageBinary, buf) != nil {
					return
				}
				f.srvSent.Add(1)
			}
		}()
		for {
			_, p, err := s.Read(ctx)
			if err != nil {
				return
			}
			f.srvGot.see(t, p, "c")
		}
	})
	hs := httptest.NewServer(f.srv)
	p, err := testserver.StartProxy(strings.TrimPrefix(hs.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	f.proxy = p
	f.url = "ws://" + p.Addr() + "/"
	t.Cleanup(func() {
		p.Close()
		_ = f.srv.Close()
		hs.CloseClientConnections()
		hs.Close()
	})
	return f
}

type streamResult struct {
	cliGot, cliDup, cliLost int
	srvGot, srvDup, srvLost int
	opens, handlers         int64
	cliTaken, srvTaken      int64
	elapsed                 time.Duration
}

// runStreamUnderCuts streams n messages each way at once between an
// sdk.Conn and the handler while the proxy resets (RST) the connection
// `cuts` times, spread over the stream: cut i waits for a connection to
// be open and for the writers to have moved on since the last cut.
func runStreamUnderCuts(t *testing.T, resume bool, n, cuts int) streamResult {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	f := startStream(t, n, nil)
	opened := make(chan struct{}, 1)
	var opens atomic.Int64
	o := fastOpts(resume)
	o.OnStateChange = func(e sdk.StateChange) {
		if e.To == sdk.StateOpen {
			opens.Add(1)
			select {
			case opened <- struct{}{}:
			default:
			}
		}
	}
	c, err := sdk.Dial(ctx, f.url, o)
	if err != nil {
		t.Fatal(err)
	}
	var cli seqCheck
	var cliSent atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() { // the app's writer: on ErrQueueFull (down), it waits for the next open
		for i := 0; i < n; {
			err := c.Write(ctx, sdk.MessageText, []byte("c"+strconv.Itoa(i)))
			switch {
			case err == nil:
				i++
				cliSent.Store(int64(i))
			case errors.Is(err, sdk.ErrQueueFull):
				select {
				case <-opened:
				case <-time.After(5 * time.Millisecond):
				}
			default:
				return
			}
		}
	})
	wg.Go(func() {
		for {
			_, p, err := c.Read(ctx)
			if err != nil {
				return
			}
			cli.see(t, p, "s")
		}
	})
	started := time.Now()
	step := int64(2*n) * 9 / 10 / int64(max(cuts, 1))
	for i := range cuts {
		// A new connection since the last cut (State alone may still say
		// open for the one just cut), and progress.
		for cliSent.Load()+f.srvSent.Load() < int64(i+1)*step || opens.Load() <= int64(i) || c.State() != sdk.StateOpen {
			select {
			case <-opened:
			case <-time.After(time.Millisecond): // counters have no doorbell; re-check
			case <-ctx.Done():
				t.Fatalf("cut %d: stuck at %d+%d sent", i, cliSent.Load(), f.srvSent.Load())
			}
		}
		f.proxy.Cut()
	}
	for opens.Load() <= int64(cuts) { // a connection that outlives every cut
		select {
		case <-opened:
		case <-ctx.Done():
			t.Fatalf("no reconnect after the last cut")
		}
	}
	// The end: everything arrived (resume), or nothing moved for 1 s (plain).
	last, quiet := int64(-1), time.Now()
	for cli.got.Load() < int64(n) || f.srvGot.got.Load() < int64(n) {
		now := cli.got.Load() + f.srvGot.got.Load()
		if now != last {
			last, quiet = now, time.Now()
		}
		if !resume && time.Since(quiet) > time.Second && cliSent.Load() == int64(n) && f.srvSent.Load() == int64(n) {
			break
		}
		select {
		case <-time.After(5 * time.Millisecond):
		case <-ctx.Done():
			t.Fatalf("stuck: client got %d, server got %d of %d", cli.got.Load(), f.srvGot.got.Load(), n)
		}
	}
	elapsed := time.Since(started)
	closeErr := c.Close(sdk.StatusNormalClosure, "done")
	cancel()
	wg.Wait()
	if resume && closeErr != nil {
		t.Errorf("Close: %v", closeErr)
	}
	r := streamResult{opens: opens.Load(), handlers: f.handlers.Load(), elapsed: elapsed}
	r.cliGot, r.cliDup, r.cliLost = cli.counts()
	r.cliTaken, r.srvTaken = cli.got.Load(), f.srvGot.got.Load()
	r.srvGot, r.srvDup, r.srvLost = f.srvGot.counts()
	return r
}

func fastOpts(resume bool) *sdk.Options {
	o := fast(&sdk.Options{Resume: resume})
	o.MaxRetries = 0
	return o
}

// TestResumeExactlyOnceUnderCuts is issue 10's proof on the client half:
// 20,000 messages each way at once, 1,000 RST cuts through the proxy,
// sdk.Conn{Resume: true} against a real server.New handler: 0 lost, 0
// duplicated, order kept, counted by the app on both ends.
// REDIAL_RESUME_SHORT=1 scales it to 2,000 and 100.
func TestResumeExactlyOnceUnderCuts(t *testing.T) {
	n, cuts := 20000, 1000
	if os.Getenv("REDIAL_RESUME_SHORT") == "1" {
		n, cuts = 2000, 100
	}
	r := runStreamUnderCuts(t, true, n, cuts)
	if r.cliGot != n || r.cliDup != 0 || r.cliLost != 0 || r.srvGot != n || r.srvDup != 0 || r.srvLost != 0 {
		t.Fatalf("client: next %d, %d dup, %d lost; server: next %d, %d dup, %d lost (of %d each)",
			r.cliGot, r.cliDup, r.cliLost, r.srvGot, r.srvDup, r.srvLost, n)
	}
	if r.opens < int64(cuts)+1 {
		t.Fatalf("%d connections for %d cuts", r.opens, cuts)
	}
	t.Logf("resume on: %d messages each way, %d cuts, %d connections, %v: 0 lost, 0 duplicated, in order",
		n, cuts, r.opens, r.elapsed.Round(time.Millisecond))
}

// TestResumeOffLossUnderCuts runs the same stream with Resume off and
// reports the loss as a figure: at most once is what plain mode promises.
func TestResumeOffLossUnderCuts(t *testing.T) {
	n, cuts := 20000, 1000
	if os.Getenv("REDIAL_RESUME_SHORT") == "1" {
		n, cuts = 2000, 100
	}
	r := runStreamUnderCuts(t, false, n, cuts)
	t.Logf("resume off: %d messages each way, %d cuts, %d connections, %d handlers, %v: client got %d (lost %d, duplicated %d); server got %d (lost %d, duplicated %d)",
		n, cuts, r.opens, r.handlers, r.elapsed.Round(time.Millisecond), r.cliTaken, n-r.cliGot+r.cliLost, r.cliDup, r.srvTaken, n-r.srvGot+r.srvLost, r.srvDup)
}

// TestResumeThroughput reports the time to stream 20,000 messages each way
// with no fault, resume on and off (a figure, not asserted; run without
// -race for numbers).
func TestResumeThroughput(t *testing.T) {
	const n = 20000
	on := runStreamUnderCuts(t, true, n, 0)
	off := runStreamUnderCuts(t, false, n, 0)
	t.Logf("%d messages each way: resume on %v, off %v (on/off throughput %.2f)",
		n, on.elapsed.Round(time.Millisecond), off.elapsed.Round(time.Millisecond), float64(off.elapsed)/float64(on.elapsed))
}
