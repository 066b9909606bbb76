package sdk_test

import (
	"sync"
	"testing"
	"time"

	"github.com/redial-ws/redial/internal/sdkhooks"
	"github.com/redial-ws/redial/sdk"
)

// statsSum is the time in all four states.
func statsSum(s sdk.Stats) time.Duration {
	return s.TimeConnecting + s.TimeOpen + s.TimeReconnecting + s.TimeClosed
}

// TestStatsCounts runs echoes, a drop and a reconnect against the test
// server, with Stats read concurrently (for -race): every count is exact,
// and the time in states sums to the Conn's life, bounded by timestamps
// taken around it.
func TestStatsCounts(t *testing.T) {
	s := startServer(t)
	o := fast(nil)
	rec := newRecorder(o)
	beforeNew := time.Now()
	c := dial(t, s.URL("/echo"), o)
	dialed := time.Now()
	rec.Next(t, "open", to(sdk.StateOpen))

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { // a dashboard polling while the data flows
		var last sdk.Stats
		for {
			select {
			case <-stop:
				return
			default:
			}
			st := c.Stats()
			if st.MessagesIn < last.MessagesIn || st.BytesOut < last.BytesOut || statsSum(st) < statsSum(last) {
				t.Errorf("Stats went back: %+v after %+v", st, last)
			}
			last = st
		}
	})
	msgs := []string{"a", "bb", "ccc"}
	for _, m := range msgs {
		echo(t, c, m)
	}
	dropped := time.Now()
	s.Drop()
	rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
	rec.Next(t, "reopen", to(sdk.StateOpen))
	reopened := time.Now()
	for _, m := range []string{"dddd", "eeeee"} {
		echo(t, c, m)
	}
	close(stop)
	wg.Wait()

	beforeStats := time.Now()
	st := c.Stats()
	afterStats := time.Now()
	// Each message was counted in before Read returned it; out is counted
	// once the socket took it, which the writer may not have recorded yet
	// when the echo comes back: exact once Close returned (below).
	if st.Attempts != 2 || st.Reconnects != 1 || st.MessagesIn != 5 || st.BytesIn != 15 || st.MessagesOut < 4 || st.LastRTT != 0 {
		t.Fatalf("Stats = %+v, want 2 attempts, 1 reconnect, 5 messages (15 B) in, ≥ 4 out, no RTT (no heartbeat)", st)
	}
	if sum := statsSum(st); sum < beforeStats.Sub(dialed) || sum > afterStats.Sub(beforeNew) {
		t.Errorf("time in states sums to %v, want within [%v, %v]", sum, beforeStats.Sub(dialed), afterStats.Sub(beforeNew))
	}
	if st.TimeConnecting <= 0 || st.TimeConnecting > dialed.Sub(beforeNew) {
		t.Errorf("TimeConnecting = %v, want in (0, %v]", st.TimeConnecting, dialed.Sub(beforeNew))
	}
	if st.TimeReconnecting <= 0 || st.TimeReconnecting > reopened.Sub(dropped) {
		t.Errorf("TimeReconnecting = %v, want in (0, %v]", st.TimeReconnecting, reopened.Sub(dropped))
	}
	if st.TimeOpen < beforeStats.Sub(reopened) || st.TimeClosed != 0 {
		t.Errorf("TimeOpen = %v (want ≥ %v), TimeClosed = %v (want 0)", st.TimeOpen, beforeStats.Sub(reopened), st.TimeClosed)
	}

	if err := c.Close(sdk.StatusNormalClosure, ""); err != nil {
		t.Fatal(err)
	}
	a := c.Stats()
	b := c.Stats()
	want := sdk.Stats{Attempts: 2, Reconnects: 1, MessagesIn: 5, BytesIn: 15, MessagesOut: 5, BytesOut: 15}
	got := a
	got.TimeConnecting, got.TimeOpen, got.TimeReconnecting, got.TimeClosed = 0, 0, 0, 0
	if got != want {
		t.Fatalf("after Close: Stats = %+v, want counts %+v", a, want)
	}
	if b.TimeClosed < a.TimeClosed || a.TimeOpen < st.TimeOpen {
		t.Errorf("after Close: TimeClosed %v then %v, TimeOpen %v (was %v)", a.TimeClosed, b.TimeClosed, a.TimeOpen, st.TimeOpen)
	}
	b.TimeClosed = a.TimeClosed
	if a != b { // closed: only TimeClosed moves
		t.Errorf("after Close, Stats moved: %+v then %+v", a, b)
	}
}

// TestStatsStateTimesFakeClock: on an injected clock the time in each
// state is exact.
func TestStatsStateTimesFakeClock(t *testing.T) {
	s := startServer(t)
	clk := newClock()
	o := fast(nil)
	sdkhooks.Of(o).Clock = clk
	o.Backoff = sdk.Backoff{Initial: time.Second, NoJitter: true}
	rec := newRecorder(o)
	c := dial(t, s.URL("/echo"), o)
	rec.Next(t, "open", to(sdk.StateOpen))
	clk.Advance(3 * time.Second)
	s.Drop()
	e := rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
	if err := clk.WaitFor(ctxT(t), e.Delay); err != nil {
		t.Fatal(err)
	}
	clk.Advance(e.Delay) // 1 s
	rec.Next(t, "reopen", to(sdk.StateOpen))
	clk.Advance(2 * time.Second)
	st := c.Stats()
	if st.TimeConnecting != 0 || st.TimeOpen != 5*time.Second || st.TimeReconnecting != time.Second || st.TimeClosed != 0 {
		t.Fatalf("Stats = %+v, want 0 connecting, 5s open, 1s reconnecting, 0 closed", st)
	}
	if err := c.Close(sdk.StatusNormalClosure, ""); err != nil {
		t.Fatal(err)
	}
	clk.Advance(4 * time.Second)
	if st = c.Stats(); st.TimeOpen != 5*time.Second || st.TimeClosed != 4*time.Second {
		t.Fatalf("after Close: Stats = %+v, want 5s open, 4s closed", st)
	}
}

// TestStatsRTT: a heartbeat ping answered sets LastRTT, at most the time
// since the Conn was made (0 without a heartbeat: TestStatsCounts): a
// WebSocket ping natively, the protocol's PING in resume mode.
func TestStatsRTT(t *testing.T) {
	s := startServer(t)
	for _, tc := range []struct {
		name, path string
		resume     bool
	}{{"ping", "/echo", false}, {"resume", "/resume/echo", true}} {
		t.Run(tc.name, func(t *testing.T) {
			o := fast(&sdk.Options{Resume: tc.resume})
			o.NoHeartbeat = false
			o.HeartbeatInterval = sdk.MinHeartbeatInterval
			beforeNew := time.Now()
			c := dial(t, s.URL(tc.path), o)
			echo(t, c, "x")
			ctx := ctxT(t)
			tick := time.NewTicker(5 * time.Millisecond) // no event for a pong: poll, bounded by ctx
			defer tick.Stop()
			for c.Stats().LastRTT == 0 {
				select {
				case <-ctx.Done():
					t.Fatal("no LastRTT after heartbeats")
				case <-tick.C:
				}
			}
			if st := c.Stats(); st.LastRTT > time.Since(beforeNew) || st.MessagesOut != 1 || st.MessagesIn != 1 {
				t.Fatalf("Stats = %+v: LastRTT more than the Conn's life, or pings counted as messages", st)
			}
		})
	}
}

// TestStatsNoAlloc: reading Stats allocates nothing (a dashboard may poll
// it often).
func TestStatsNoAlloc(t *testing.T) {
	s := startServer(t)
	c := dial(t, s.URL("/echo"), fast(nil))
	if n := testing.AllocsPerRun(100, func() { _ = c.Stats() }); n != 0 {
		t.Fatalf("Stats allocates %v times per call, want 0", n)
	}
}
