//go:build !js

package sdk_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redial-ws/redial/internal/fakeclock"
	"github.com/redial-ws/redial/internal/sdkhooks"
	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
)

// ackWindows are send windows that hold fewer messages than the
// receiver's AckEvery (64): large messages in the default 1 MiB, and
// small messages in a small count bound. Before the sender asked for
// acknowledgements (resume_ackask.go, server/ackask.go), each window
// waited for the receiver's AckDelay timer: with that timer stopped, the
// stream stopped at the first full window.
var ackWindows = []struct {
	size, maxQueued int // maxQueued 0: the default (1024)
}{
	{64 << 10, 0}, // 16 per 1 MiB
	{1 << 20, 0},  // 1 per 1 MiB: the largest message Write accepts
	{16, 4},       // count-bound
	{16, 1},
}

// TestResumeWriterNeedsNoAckTimer: a client pipelining messages whose
// window holds fewer than AckEvery, against a real server.New handler
// that reads everything, with both clocks fake and never advanced (so
// neither AckDelay nor the client's timers fire): every Write returns
// and the handler reads all n. Then the server's clock runs (AckDelay
// acknowledges the last messages, below half a window) and Close reports
// nothing unsent: all n acknowledged.
func TestResumeWriterNeedsNoAckTimer(t *testing.T) {
	for _, w := range ackWindows {
		t.Run(fmt.Sprintf("size=%d/maxQueued=%d", w.size, w.maxQueued), func(t *testing.T) {
			const n = 64
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			srvClock := fakeclock.New(time.Now())
			read := make(chan int, n)
			srv := server.New(&server.Options{Clock: srvClock, ReadLimit: 2 << 20}, func(ctx context.Context, s *server.Session) {
				for i := 1; ; i++ {
					if _, _, err := s.Read(ctx); err != nil {
						return
					}
					read <- i
				}
			})
			defer srv.Close()
			c := dialAckTest(t, ctx, srv, w.maxQueued)
			msg := make([]byte, w.size)
			for i := range n {
				if err := c.Write(ctx, sdk.MessageBinary, msg); err != nil {
					t.Fatalf("Write %d of %d: %v (the window never reopened without the AckDelay timer)", i+1, n, err)
				}
			}
			for i := 1; i <= n; i++ {
				select {
				case <-read:
				case <-ctx.Done():
					t.Fatalf("the handler read %d of %d", i-1, n)
				}
			}
			stop := runClock(ctx, srvClock, 50*time.Millisecond)
			defer stop()
			if err := c.Close(sdk.StatusNormalClosure, ""); err != nil {
				t.Fatalf("Close = %v; want every message acknowledged", err)
			}
		})
	}
}

// TestResumeHandlerNeedsNoAckTimer is the other direction: a handler
// pipelining messages whose replay buffer (MaxUnacked, MaxUnackedBytes)
// holds fewer than the client's AckEvery, to a client that reads
// everything, both clocks fake and never advanced: every Session.Write
// returns and the client reads all n.
func TestResumeHandlerNeedsNoAckTimer(t *testing.T) {
	for _, w := range ackWindows {
		t.Run(fmt.Sprintf("size=%d/maxUnacked=%d", w.size, w.maxQueued), func(t *testing.T) {
			const n = 64
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			wrote := make(chan error, 1)
			srv := server.New(&server.Options{Clock: fakeclock.New(time.Now()), MaxUnacked: w.maxQueued},
				func(ctx context.Context, s *server.Session) {
					msg := make([]byte, w.size)
					for i := range n {
						if err := s.Write(ctx, sdk.MessageBinary, msg); err != nil {
							wrote <- fmt.Errorf("Session.Write %d of %d: %w", i+1, n, err)
							return
						}
					}
					wrote <- nil
					<-ctx.Done()
				})
			defer srv.Close()
			c := dialAckTest(t, ctx, srv, 0)
			defer c.Close(sdk.StatusNormalClosure, "") //nolint:errcheck // what it reports is not the point
			for i := range n {
				if _, _, err := c.Read(ctx); err != nil {
					t.Fatalf("Read %d of %d: %v (the server's window never reopened without the client's ack timer)", i+1, n, err)
				}
			}
			if err := <-wrote; err != nil {
				t.Fatal(err)
			}
		})
	}
}

// dialAckTest dials srv on loopback in resume mode with a fake clock that
// never moves (the client's AckDelay timer never fires).
func dialAckTest(t *testing.T, ctx context.Context, srv *server.Server, maxQueued int) *sdk.Conn {
	t.Helper()
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	o := fast(&sdk.Options{Resume: true, MaxQueued: maxQueued, ReadLimit: 2 << 20})
	o.MaxRetries = 0
	sdkhooks.Of(o).Clock = fakeclock.New(time.Now())
	c, err := sdk.Dial(ctx, "ws"+strings.TrimPrefix(hs.URL, "http"), o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// runClock lets clk's timers of duration d fire, one at a time, as they
// are started, until stop is called or ctx ends.
func runClock(ctx context.Context, clk *fakeclock.Clock, d time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for clk.WaitFor(ctx, d) == nil {
			clk.Advance(d)
		}
	}()
	return func() { cancel(); <-done }
}
