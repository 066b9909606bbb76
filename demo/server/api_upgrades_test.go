package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/redial-ws/redial/sdk"
)

func TestRefuseAnswersStatusAndRetryAfter(t *testing.T) {
	e := newEnv(t, Config{})
	for _, tc := range []struct {
		status     int
		retryAfter string
	}{{401, ""}, {429, "7"}, {503, "2"}} {
		q := fmt.Sprintf("/api/refuse?client=a&status=%d&count=2", tc.status)
		if tc.retryAfter != "" {
			q += "&retryAfter=" + tc.retryAfter
		}
		res := e.api(q, 200)
		if res["status"] != float64(tc.status) || res["count"] != 2.0 {
			t.Fatalf("answer %v", res)
		}
		if st := e.state(); len(st.Refusals) != 1 || st.Refusals[0].Remaining != 2 || st.Refusals[0].Client != "a" {
			t.Fatalf("state refusals %+v", st.Refusals)
		}
		b := e.dial("/ws/echo?client=b") // another client is not refused
		b.echoes("b")
		for range 2 {
			ctx, cancel := context.WithTimeout(context.Background(), waitFor)
			_, resp, err := websocket.Dial(ctx, e.wsURL("/ws/echo?client=a"), e.dialOpts(""))
			cancel()
			if err == nil || resp == nil || resp.StatusCode != tc.status || resp.Header.Get("Retry-After") != tc.retryAfter {
				t.Fatalf("refused dial: %v, %+v; want %d with Retry-After %q", err, resp, tc.status, tc.retryAfter)
			}
		}
		if h := e.api("/api/handshake?client=a", 200); h["outcome"] != "refused" || h["status"] != float64(tc.status) || h["accept"] != "" {
			t.Fatalf("handshake report %v", h)
		}
		e.dial("/ws/echo?client=a").echoes("the third attempt gets through")
	}

	// No client: anyone's next attempt.
	e.api("/api/refuse?status=503", 200)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if _, resp, err := websocket.Dial(ctx, e.wsURL("/ws/ticker?client=zz"), e.dialOpts("")); err == nil || resp.StatusCode != 503 {
		t.Fatalf("dial: %v", err)
	}
}

func TestRestartFailsDialsForTheWindow(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.dial("/ws/echo?client=a")
	res := e.api("/api/restart?down=5", 200)
	if res["affected"] != 1.0 || res["downMs"] != 5000.0 || res["all"] != true {
		t.Fatalf("answer %v", res)
	}
	if err := a.ended(); websocket.CloseStatus(err) != -1 {
		t.Fatalf("a live connection was closed with a frame (%v); a restart cuts it", err)
	}
	for range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		_, resp, err := websocket.Dial(ctx, e.wsURL("/ws/echo?client=a"), e.dialOpts(""))
		cancel()
		if err == nil || resp != nil {
			t.Fatalf("dial during the restart: %v, response %+v; want a dropped connection", err, resp)
		}
	}
	if h := e.api("/api/handshake?client=a", 200); h["outcome"] != "reset" || h["status"] != 0.0 {
		t.Fatalf("handshake report %v", h)
	}
	// The page and the API stay up.
	if resp, err := e.ts.Client().Get(e.ts.URL + "/"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("page during the restart: %v", err)
	} else {
		resp.Body.Close()
	}
	st := e.state()
	if len(st.Restarting) != 1 || !st.Restarting[0].All || st.Restarting[0].RemainingMs != 5000 {
		t.Fatalf("state restarting %+v", st.Restarting)
	}

	e.clock.Advance(4999 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if _, _, err := websocket.Dial(ctx, e.wsURL("/ws/echo"), e.dialOpts("")); err == nil {
		t.Fatal("dial 1 ms before the end of the window succeeded")
	}
	e.clock.Advance(time.Millisecond)
	e.dial("/ws/echo?client=a").echoes("back")
	if st := e.state(); len(st.Restarting) != 0 {
		t.Fatalf("state restarting %+v after the window", st.Restarting)
	}
}

func TestRestartOneClient(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.dial("/ws/echo?client=a")
	b := e.dial("/ws/echo?client=b")
	e.api("/api/restart?client=a&down=1.5", 200)
	a.ended()
	b.echoes("b untouched")
	e.dial("/ws/echo?client=b").echoes("b can connect")
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if _, _, err := websocket.Dial(ctx, e.wsURL("/ws/echo?client=a"), e.dialOpts("")); err == nil {
		t.Fatal("a connected during its restart")
	}
	e.api("/api/heal?client=a", 200)
	e.dial("/ws/echo?client=a").echoes("healed")
}

// The native SDK sees a restart as a failed dial and comes back after it.
func TestSDKReconnectsAfterRestart(t *testing.T) {
	e := newEnv(t, Config{})
	ctx := context.Background()
	reconnecting := make(chan sdk.StateChange, 16)
	c, err := sdk.Dial(ctx, e.wsURL("/ws/echo?client=s"), &sdk.Options{
		Backoff: sdk.Backoff{Initial: 5 * time.Millisecond, Max: 20 * time.Millisecond},
		Native:  &sdk.NativeOptions{HTTPClient: e.ts.Client()},
		OnStateChange: func(sc sdk.StateChange) {
			if sc.To == sdk.StateReconnecting {
				select { // never block the SDK's event goroutine
				case reconnecting <- sc:
				default:
				}
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(sdk.StatusNormalClosure, "")
	e.api("/api/restart?down=60", 200)
	<-reconnecting // the cut
	select {
	case sc := <-reconnecting: // a dial that failed in the window
		if sc.Close != nil {
			t.Fatalf("want a failed dial, got %v", sc)
		}
	case <-time.After(waitFor):
		t.Fatal("no failed dial")
	}
	e.clock.Advance(time.Minute)
	if err := c.Write(ctx, sdk.MessageText, []byte("after")); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithTimeout(ctx, waitFor)
	defer cancel()
	if _, p, err := c.Read(rctx); err != nil || string(p) != "after" {
		t.Fatalf("read %q, %v", p, err)
	}
}
