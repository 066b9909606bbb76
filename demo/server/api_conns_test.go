package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestCloseDeliversCodeAndReason(t *testing.T) {
	e := newEnv(t, Config{})
	for _, code := range []int{1000, 1001, 1008, 1011, 1012, 1013, 4000, 4500} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			e.t = t
			// Fresh ids: the previous subtest's connections may still be
			// on their way out.
			id := fmt.Sprintf("a%d", code)
			a := e.dial("/ws/echo?client=" + id)
			b := e.dial(fmt.Sprintf("/ws/echo?client=b%d", code))
			reason := fmt.Sprintf("reason %d", code)
			res := e.api(fmt.Sprintf("/api/close?client=%s&code=%d&reason=%s", id, code, url.QueryEscape(reason)), 200)
			if res["ok"] != true || res["affected"] != 1.0 || res["code"] != float64(code) || res["client"] != id || res["all"] != false {
				t.Fatalf("answer %v", res)
			}
			var ce websocket.CloseError
			if err := a.ended(); !errors.As(err, &ce) || int(ce.Code) != code || ce.Reason != reason {
				t.Fatalf("client a ended with %v, want close %d %q", err, code, reason)
			}
			b.echoes("b is untouched")
			_ = b.c.Close(websocket.StatusNormalClosure, "")
		})
	}
}

// Without client=, a close applies to every client.
func TestCloseAllClients(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.dial("/ws/echo?client=a")
	b := e.dial("/ws/ticker?client=b")
	if res := e.api("/api/close?code=1012", 200); res["affected"] != 2.0 || res["all"] != true {
		t.Fatalf("answer %v", res)
	}
	for _, c := range []*client{a, b} {
		if err := c.ended(); websocket.CloseStatus(err) != websocket.StatusServiceRestart {
			t.Fatalf("ended with %v", err)
		}
	}
}

func TestCloseEndpointFilter(t *testing.T) {
	e := newEnv(t, Config{})
	echo := e.dial("/ws/echo?client=a")
	tick := e.dial("/ws/ticker?client=a")
	if res := e.api("/api/close?client=a&endpoint=ticker&code=4000", 200); res["affected"] != 1.0 || res["endpoint"] != "ticker" {
		t.Fatalf("answer %v", res)
	}
	if err := tick.ended(); websocket.CloseStatus(err) != 4000 {
		t.Fatalf("ticker ended with %v", err)
	}
	echo.echoes("echo is untouched")
}

func TestCutGivesNoCloseFrame(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.dial("/ws/echo?client=a")
	b := e.dial("/ws/echo?client=b")
	if res := e.api("/api/cut?client=a", 200); res["affected"] != 1.0 {
		t.Fatalf("answer %v", res)
	}
	err := a.ended()
	if code := websocket.CloseStatus(err); code != -1 {
		t.Fatalf("cut delivered close %d (%v); want no close frame", code, err)
	}
	b.echoes("still here")
}

func TestStallStopsTicksAndPongs(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.dial("/ws/ticker?client=a")
	b := e.dial("/ws/ticker?client=b")
	tickOf(t, a.next())

	if res := e.api("/api/stall?client=a&ms=60000", 200); res["affected"] != 1.0 || res["ms"] != 60000.0 {
		t.Fatalf("answer %v", res)
	}
	// Every tick made from here on is lost for a; anything a gets is older.
	stalledAt, _ := e.s.currentTick()
	if st := e.state(); st.Clients["a"].Stalled != 1 || st.Clients["b"].Stalled != 0 {
		t.Fatalf("state %+v", st.Clients)
	}

	// The TCP connection is up, but a ping is not answered...
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	err := a.c.Ping(ctx)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ping during a stall: %v, want no pong", err)
	}
	// ...and while the shared tick moves on (b sees it), a gets nothing new.
	for {
		n := tickOf(t, b.next())
		if n >= stalledAt+10 {
			break
		}
	}
	drain(t, a, stalledAt)

	// Lifted: a's next tick shows the gap, and pongs come back.
	if res := e.api("/api/stall?client=a&ms=0", 200); res["affected"] != 1.0 {
		t.Fatalf("answer %v", res)
	}
	resumed := waitTickAbove(t, a, stalledAt)
	if resumed < stalledAt+10 {
		t.Fatalf("after the stall a got tick %d; the stall began at %d, b saw %d since", resumed, stalledAt, 10)
	}
	ctx, cancel = context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := a.c.Ping(ctx); err != nil {
		t.Fatalf("ping after the stall: %v", err)
	}
}

// drain fails if a tick newer than limit is waiting on c.
func drain(t *testing.T, c *client, limit uint64) {
	t.Helper()
	for {
		select {
		case m := <-c.msgs:
			if n := tickOf(t, m); n > limit {
				t.Fatalf("stalled client got tick %d, made after the stall began (%d)", n, limit)
			}
		default:
			return
		}
	}
}

func waitTickAbove(t *testing.T, c *client, limit uint64) uint64 {
	t.Helper()
	for {
		if n := tickOf(t, c.next()); n > limit {
			return n
		}
	}
}

func TestStallEndsByItself(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.dial("/ws/ticker?client=a")
	tickOf(t, a.next())
	e.api("/api/stall?ms=50", 200)
	stalledAt, _ := e.s.currentTick()
	waitTickAbove(t, a, stalledAt)
}
