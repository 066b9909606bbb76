package server_test

import (
	"context"
	"errors"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redial-ws/redial/internal/resumetest"
	"github.com/redial-ws/redial/internal/resumewire"
	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
)

// TestExactlyOnceUnderCuts streams n messages each way at once through the
// fault proxy while it resets (RST) the connection `cuts` times, each cut
// hitting a live, resumed connection mid-stream. The handler and the test
// client each check that message i is the i-th they get: 0 lost, 0
// duplicated, order kept. The handler runs once for the whole session.
//
// The full run (20,000 messages, 1,000 cuts) takes ~6 s with
// -race here; REDIAL_RESUME_SHORT=1 scales it to 2,000 and 100.
func TestExactlyOnceUnderCuts(t *testing.T) {
	n, cuts := 20000, 1000
	if os.Getenv("REDIAL_RESUME_SHORT") == "1" {
		n, cuts = 2000, 100
	}
	ctx := testCtx(t, 2*time.Minute)
	progress := make(chan struct{}, 1)
	var handlerRuns, serverGot, clientGot atomic.Int64
	type result struct {
		got int
		err error
	}
	res := make(chan result, 1)
	f := start(t, nil, func(ctx context.Context, s *server.Session) {
		handlerRuns.Add(1)
		werr := make(chan error, 1)
		go func() {
			var buf []byte
			for i := range n {
				buf = strconv.AppendInt(append(buf[:0], 's'), int64(i), 10)
				if err := s.Write(ctx, sdk.MessageBinary, buf); err != nil {
					werr <- err
					return
				}
			}
			werr <- nil
		}()
		var err error
		got := 0
		for got < n {
			typ, p, e := s.Read(ctx)
			if e != nil {
				err = e
				break
			}
			if want := "c" + strconv.Itoa(got); typ != sdk.MessageText || string(p) != want {
				err = errors.New("server: message " + strconv.Itoa(got) + " is " + strconv.Quote(string(p)) + ", want " + want)
				break
			}
			got++
			serverGot.Store(int64(got))
			resumetest.Ring(progress)
		}
		if e := <-werr; err == nil {
			err = e
		}
		res <- result{got, err}
		<-ctx.Done() // the client closes when it has everything
	})

	var clientErr atomic.Pointer[string]
	c := resumetest.New(f.resumeURL(), func(kind byte, p []byte) {
		i := clientGot.Load()
		if want := "s" + strconv.FormatInt(i, 10); kind != resumewire.KindDataBinary || string(p) != want {
			msg := "client: message " + strconv.FormatInt(i, 10) + " is " + strconv.Quote(string(p)) + ", want " + want
			clientErr.CompareAndSwap(nil, &msg)
		}
		clientGot.Add(1)
		resumetest.Ring(progress)
	})
	runErr := make(chan error, 1)
	go func() { runErr <- c.Run(ctx) }()
	sendErr := make(chan error, 1)
	go func() {
		for i := range n {
			if err := c.Send(ctx, resumewire.KindDataText, []byte("c"+strconv.Itoa(i))); err != nil {
				sendErr <- err
				return
			}
		}
		sendErr <- nil
	}()

	// Cut i waits for a live connection and for the streams to have moved
	// on since the last cut; the cuts spread over 90% of the traffic.
	started := time.Now()
	step := int64(2*n) * 9 / 10 / int64(cuts)
	for i := range cuts {
		stall := time.NewTimer(20 * time.Second) // a stuck stream fails fast
		select {
		case <-c.Connected:
		case <-stall.C:
			t.Fatalf("cut %d: no reconnect within 20 s", i)
		case <-ctx.Done():
			t.Fatalf("cut %d: no reconnect: %v", i, context.Cause(ctx))
		}
		for serverGot.Load()+clientGot.Load() < int64(i+1)*step {
			select {
			case <-progress:
			case <-stall.C:
				t.Fatalf("cut %d: stuck for 20 s at %d+%d", i, serverGot.Load(), clientGot.Load())
			case <-ctx.Done():
				t.Fatalf("cut %d: stuck at %d+%d", i, serverGot.Load(), clientGot.Load())
			}
		}
		stall.Stop()
		f.proxy.Cut()
	}
	// Close on a connection that outlives every cut.
	for k := c.Conns.Load(); c.Conns.Load() <= k; {
		select {
		case <-c.Connected:
		case <-ctx.Done():
			t.Fatalf("no reconnect after the last cut: %v", context.Cause(ctx))
		}
	}
	if err := <-sendErr; err != nil {
		t.Fatal(err)
	}
	for clientGot.Load() < int64(n) || c.Win.Acked() < uint64(n) {
		select {
		case <-progress:
		case <-time.After(10 * time.Millisecond): // acks do not ring progress; re-check
		case <-ctx.Done():
			t.Fatalf("client stuck: got %d, acked %d", clientGot.Load(), c.Win.Acked())
		}
	}
	r := <-res
	elapsed := time.Since(started)
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-runErr; err != nil {
		t.Fatalf("client run: %v", err)
	}
	if r.err != nil || r.got != n {
		t.Fatalf("handler: got %d of %d: %v", r.got, n, r.err)
	}
	if p := clientErr.Load(); p != nil || clientGot.Load() != int64(n) {
		t.Fatalf("client: got %d of %d: %v", clientGot.Load(), n, p)
	}
	if runs := handlerRuns.Load(); runs != 1 {
		t.Fatalf("handler ran %d times for one session", runs)
	}
	if conns := c.Conns.Load(); conns < int64(cuts)+1 {
		t.Fatalf("%d connections for %d cuts", conns, cuts)
	}
	t.Logf("%d messages each way, %d cuts, %d connections, %s: 0 lost, 0 duplicated, in order; "+
		"the client got %d data frames for %d messages; %d ACK frames from the server (most acks ride on WELCOME)",
		n, cuts, c.Conns.Load(), elapsed.Round(time.Millisecond), c.DataIn.Load(), n, c.AcksIn.Load())
}
