package main

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/redial-ws/redial/sdk"
)

// resumeTicks dials /ws/ticker?client=r in resume mode (the SDK adds
// ?redial-resume=1) and returns the Conn and a channel of its ticks.
func resumeTicks(t *testing.T, e *env, onState func(sdk.StateChange)) (*sdk.Conn, <-chan uint64) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c, err := sdk.Dial(ctx, e.wsURL("/ws/ticker?client=r"), &sdk.Options{
		Resume:            true,
		Backoff:           sdk.Backoff{Initial: 5 * time.Millisecond, Max: 20 * time.Millisecond},
		HeartbeatInterval: 100 * time.Millisecond,
		Native:            &sdk.NativeOptions{HTTPClient: e.ts.Client()},
		OnStateChange:     onState,
	})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ticks := make(chan uint64, 1<<14)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			_, p, err := c.Read(ctx)
			if err != nil {
				return
			}
			var v struct{ Tick uint64 }
			if json.Unmarshal(p, &v) != nil || v.Tick == 0 {
				t.Errorf("not a tick: %q", p)
				return
			}
			ticks <- v.Tick
		}
	}()
	t.Cleanup(func() {
		_ = c.Close(sdk.StatusNormalClosure, "")
		cancel()
		<-done
	})
	return c, ticks
}

// reconnects counts the resume Conn's reconnections (its ticks go on).
func reconnects() (func(sdk.StateChange), <-chan sdk.StateChange) {
	ch := make(chan sdk.StateChange, 64)
	return func(sc sdk.StateChange) {
		if sc.To == sdk.StateReconnecting {
			select { // never block the SDK's event goroutine
			case ch <- sc:
			default:
			}
		}
	}, ch
}

// expectRun reads ticks and fails unless each is the previous + 1, until
// the tick reaches at least upTo; it returns the last.
func expectRun(t *testing.T, ticks <-chan uint64, last, upTo uint64) uint64 {
	t.Helper()
	deadline := time.After(waitFor)
	for last < upTo {
		select {
		case n := <-ticks:
			if last != 0 && n != last+1 {
				t.Fatalf("tick %d after %d: a gap or a duplicate", n, last)
			}
			last = n
		case <-deadline:
			t.Fatalf("stuck at tick %d, want %d", last, upTo)
		}
	}
	return last
}

// Every fault the page's buttons make, on the resume ticker: the session
// survives each, and the ticks go on with no gap and no duplicate — the
// third column's "missed ticks 0". Close codes go out as a frame written
// onto the socket (the server package owns the websocket.Conn), which the
// client must see as that close and then resume.
func TestResumeTickerSurvivesFaults(t *testing.T) {
	e := newEnv(t, Config{})
	onState, recon := reconnects()
	_, ticks := resumeTicks(t, e, onState)
	last := expectRun(t, ticks, 0, 0)
	step := func(what, path string, wantCode sdk.StatusCode) {
		t.Helper()
		for len(recon) > 0 { // events of the previous fault
			<-recon
		}
		tick, _ := e.s.currentTick()
		e.api(path, 200)
		select {
		case sc := <-recon:
			var code sdk.StatusCode = 1006
			if sc.Close != nil {
				code = sc.Close.Code
			}
			if wantCode != 0 && code != wantCode {
				t.Fatalf("%s: reconnecting after %v, want close %d", what, sc, wantCode)
			}
		case <-time.After(waitFor):
			t.Fatalf("%s: the resume client did not reconnect", what)
		}
		last = expectRun(t, ticks, last, tick+20)
	}
	last = expectRun(t, ticks, last, 5)
	step("cut", "/api/cut?client=r", 0)
	for _, code := range []sdk.StatusCode{1000, 1001, 1011, 4000} {
		step(fmt.Sprintf("close %d", code), fmt.Sprintf("/api/close?client=r&code=%d&reason=r", code), code)
	}
	step("stall", "/api/stall?client=r&ms=60000", 0) // found by the heartbeat, 100 ms here
	e.api("/api/restart?client=r&down=60", 200)
	tick, _ := e.s.currentTick()
	<-recon
	e.clock.Advance(time.Minute) // the window ends
	last = expectRun(t, ticks, last, tick+20)
	if st := e.state(); st.Clients["r"] == nil || st.Clients["r"].Ticker != 1 {
		t.Fatalf("state after the faults: %+v, want one ticker connection for r", st.Clients["r"])
	}
}
