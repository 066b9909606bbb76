//go:build !js

// Package soak runs resume mode under random faults for a while:
// REDIAL_SOAK=60s go test -count=1 -v -run TestSoak ./test/soak (make soak;
// make test runs it for 20 s). Without REDIAL_SOAK the test is skipped.
package soak

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
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
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const clients = 50

// stats is what the soak counts; violations must stay 0.
type stats struct {
	violations         atomic.Int64 // a message out of order, duplicated or skipped
	cliGot, srvGot     atomic.Int64 // messages the apps took
	opens, lost        atomic.Int64 // connections opened; sessions lost
	rst, fin, frz, dly atomic.Int64 // faults injected
	firstViolation     atomic.Pointer[string]
}

func (s *stats) violate(msg string) {
	s.violations.Add(1)
	s.firstViolation.CompareAndSwap(nil, &msg)
}

// TestSoak: 50 sdk.Conn{Resume: true} clients stream both ways through the
// fault proxy to one server.New handler while it injects random faults
// (RST and FIN cuts, freeze then thaw, a slow path), checking on both
// ends, for every message, that it is the next one: exactly once, in order.
func TestSoak(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("REDIAL_SOAK"))
	if err != nil {
		t.Skip("set REDIAL_SOAK=60s (make soak) to run the soak")
	}
	var st stats
	srvFinal := make([]atomic.Int64, clients) // per client: its messages the server's handler read
	srv := server.New(nil, func(ctx context.Context, s *server.Session) {
		go func() { // the server's stream: s0, s1, …, paced by the client's acks
			var buf []byte
			for i := int64(0); ; i++ {
				buf = strconv.AppendInt(append(buf[:0], 's'), i, 10)
				if s.Write(ctx, sdk.MessageBinary, buf) != nil {
					return
				}
				if i%16 == 15 {
					pause(ctx, time.Millisecond)
				}
			}
		}()
		next := int64(0)
		for {
			_, p, err := s.Read(ctx)
			if err != nil {
				return
			}
			idx, i, ok := parse(string(p))
			if !ok || i != next {
				st.violate(fmt.Sprintf("server: session %s got %q, want message %d", s.ID(), p, next))
			}
			next = i + 1
			srvFinal[idx].Store(next)
			st.srvGot.Add(1)
		}
	})
	hs := httptest.NewServer(srv)
	proxy, err := testserver.StartProxy(strings.TrimPrefix(hs.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		proxy.Close()
		_ = srv.Close()
		hs.CloseClientConnections()
		hs.Close()
	}()

	ctx, stop := context.WithTimeout(context.Background(), d)
	defer stop()
	var wg sync.WaitGroup
	sent := make([]int64, clients)
	closeErrs := make([]error, clients)
	for k := range clients {
		wg.Go(func() { sent[k], closeErrs[k] = runClient(ctx, t, k, "ws://"+proxy.Addr()+"/", &st) })
	}
	started := time.Now()
	faults(ctx, proxy, &st)
	proxy.Thaw()
	proxy.SetDelay(0)
	wg.Wait()
	elapsed := time.Since(started)

	// Every write reaches the server's handler, or Close reports it unsent
	// (a cut can land just as a client closes: Close is bounded and says
	// what it could not get acknowledged). A write missing and not
	// reported is a silent loss: the one failure resume mode must never have.
	short := 0
	for k := range clients {
		got, unsent := srvFinal[k].Load(), int64(0)
		var ue *sdk.UnsentError
		if errors.As(closeErrs[k], &ue) {
			unsent = int64(ue.Messages)
			short++
		} else if closeErrs[k] != nil {
			t.Errorf("client %d: Close: %v", k, closeErrs[k])
		}
		if got < sent[k]-unsent || got > sent[k] {
			t.Errorf("client %d: wrote %d, the server read %d, Close reported %d unsent: %d lost silently",
				k, sent[k], got, unsent, sent[k]-unsent-got)
		}
	}
	faultsN := st.rst.Load() + st.fin.Load() + st.frz.Load() + st.dly.Load()
	t.Logf("\nsoak: %v, %d clients in resume mode through the fault proxy\n"+
		"  faults     %d: %d RST cuts, %d FIN cuts, %d freezes (0.3-1.5 s), %d slow paths (20-100 ms per chunk)\n"+
		"  connections %d opened (%d sessions, all kept: %d lost)\n"+
		"  messages   client->server %d, server->client %d (%.0f/s both ways)\n"+
		"  exactly once: %d violations (out of order, duplicated or skipped); %d clients whose Close reported unacknowledged messages (UnsentError; none lost silently)",
		elapsed.Round(time.Second), clients, faultsN, st.rst.Load(), st.fin.Load(), st.frz.Load(), st.dly.Load(),
		st.opens.Load(), clients, st.lost.Load(),
		st.srvGot.Load(), st.cliGot.Load(), float64(st.srvGot.Load()+st.cliGot.Load())/elapsed.Seconds(),
		st.violations.Load(), short)
	if v := st.firstViolation.Load(); v != nil {
		t.Errorf("exactly once broken: %s", *v)
	}
	if st.lost.Load() != 0 {
		t.Errorf("%d sessions lost", st.lost.Load())
	}
}

// runClient streams c<k>:<i> and checks s<i> until ctx ends, then closes
// (which waits for the server's acknowledgements) and returns how many it
// wrote and Close's error.
func runClient(ctx context.Context, t *testing.T, k int, url string, st *stats) (int64, error) {
	o := &sdk.Options{
		Resume:            true,
		HeartbeatInterval: 250 * time.Millisecond,
		DialTimeout:       2 * time.Second,
		Backoff:           sdk.Backoff{Initial: 5 * time.Millisecond, Max: 200 * time.Millisecond},
		OnStateChange: func(e sdk.StateChange) {
			if e.To == sdk.StateOpen {
				st.opens.Add(1)
			}
			if errors.Is(e.Err, sdk.ErrSessionLost) {
				st.lost.Add(1)
			}
		},
	}
	c, err := sdk.Dial(ctx, url, o)
	if err != nil {
		t.Errorf("client %d: Dial: %v", k, err)
		return 0, nil
	}
	var rwg sync.WaitGroup
	rctx, rstop := context.WithCancel(context.Background())
	defer rstop()
	rwg.Go(func() {
		next := int64(0)
		for {
			_, p, err := c.Read(rctx)
			if err != nil {
				return
			}
			i, err := strconv.ParseInt(strings.TrimPrefix(string(p), "s"), 10, 64)
			if err != nil || i != next {
				st.violate(fmt.Sprintf("client %d got %q, want s%d", k, p, next))
			}
			next = i + 1
			st.cliGot.Add(1)
		}
	})
	var i int64
	prefix := "c" + strconv.Itoa(k) + ":"
	for ctx.Err() == nil {
		err := c.Write(ctx, sdk.MessageText, []byte(prefix+strconv.FormatInt(i, 10)))
		switch {
		case err == nil:
			i++
			if i%16 == 0 {
				pause(ctx, time.Millisecond)
			}
		case errors.Is(err, sdk.ErrQueueFull): // down and full: wait a little
			pause(ctx, 10*time.Millisecond)
		case ctx.Err() != nil:
		default:
			t.Errorf("client %d: Write: %v", k, err)
			pause(ctx, time.Hour)
		}
	}
	err = closeWhenSettled(c)
	rstop()
	rwg.Wait()
	return i, err
}

// closeWhenSettled closes once the connection is open (the proxy is
// healthy again at the end), so Close can wait for the acknowledgements.
func closeWhenSettled(c *sdk.Conn) error {
	deadline := time.Now().Add(10 * time.Second)
	for c.State() != sdk.StateOpen && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	st := c.State()
	t0 := time.Now()
	err := c.Close(sdk.StatusNormalClosure, "soak over")
	if err != nil {
		return fmt.Errorf("%w (state %v at Close, which took %v)", err, st, time.Since(t0).Round(time.Millisecond))
	}
	return nil
}

// faults injects a random fault every 50-300 ms until ctx ends.
func faults(ctx context.Context, p *testserver.Proxy, st *stats) {
	for ctx.Err() == nil {
		pause(ctx, time.Duration(50+rand.IntN(250))*time.Millisecond)
		if ctx.Err() != nil {
			return // no fault as the clients close: a Close during a cut reports what is unacknowledged (UnsentError)
		}
		switch rand.IntN(4) {
		case 0:
			p.Cut()
			st.rst.Add(1)
		case 1:
			p.CutFIN()
			st.fin.Add(1)
		case 2:
			p.Freeze()
			pause(ctx, time.Duration(300+rand.IntN(1200))*time.Millisecond)
			p.Thaw()
			st.frz.Add(1)
		case 3:
			p.SetDelay(time.Duration(20+rand.IntN(80)) * time.Millisecond)
			pause(ctx, time.Duration(500+rand.IntN(1500))*time.Millisecond)
			p.SetDelay(0)
			st.dly.Add(1)
		}
	}
}

func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// parse splits c<k>:<i>.
func parse(s string) (idx int, i int64, ok bool) {
	a, b, found := strings.Cut(strings.TrimPrefix(s, "c"), ":")
	k, err1 := strconv.Atoi(a)
	n, err2 := strconv.ParseInt(b, 10, 64)
	return k, n, found && err1 == nil && err2 == nil && k >= 0 && k < clients
}
