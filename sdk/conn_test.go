package sdk_test

import (
	"strings"
	"testing"
	"time"

	"github.com/redial-ws/redial/internal/sdkhooks"
	"github.com/redial-ws/redial/internal/testserver"
	"github.com/redial-ws/redial/sdk"
)

func TestCutThroughProxyReconnects(t *testing.T) {
	s := startServer(t)
	p, err := testserver.StartProxy(strings.TrimPrefix(s.URL(""), "ws://"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	o := fast(nil)
	rec := newRecorder(o)
	c := dial(t, "ws://"+p.Addr()+"/echo", o)
	echo(t, c, "one")
	p.Cut()
	rec.Next(t, "reconnecting after TCP cut", to(sdk.StateReconnecting))
	rec.Next(t, "reopen", to(sdk.StateOpen))
	echo(t, c, "two")
}

func TestAttemptResetsOnlyAfterStable(t *testing.T) {
	s := startServer(t)
	clk := newClock()
	o := fast(nil)
	sdkhooks.Of(o).Clock = clk
	o.Backoff = sdk.Backoff{Initial: time.Second, NoJitter: true}
	rec := newRecorder(o)
	dial(t, s.URL("/echo"), o)
	rec.Next(t, "open", to(sdk.StateOpen))
	for want := 1; want <= 3; want++ { // flapping: drops right after each open
		s.Drop()
		e := rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
		if e.Attempt != want || e.Delay != time.Duration(1<<(want-1))*time.Second {
			t.Fatalf("flap %d: attempt %d delay %v, want attempt %d delay %v", want, e.Attempt, e.Delay, want, time.Duration(1<<(want-1))*time.Second)
		}
		if err := clk.WaitFor(ctxT(t), e.Delay); err != nil {
			t.Fatal(err)
		}
		clk.Advance(e.Delay)
		rec.Next(t, "open", to(sdk.StateOpen))
	}
	clk.Advance(5 * time.Second) // stayed open 5 s: now stable
	s.Drop()
	if e := rec.Next(t, "reconnecting", to(sdk.StateReconnecting)); e.Attempt != 1 {
		t.Fatalf("after 5 s open: attempt %d, want 1", e.Attempt)
	}
}
