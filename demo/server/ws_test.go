package main

import (
	"testing"

	"github.com/coder/websocket"
)

func TestTickerIsSharedAndMonotonic(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.dial("/ws/ticker?client=a")
	b := e.dial("/ws/ticker?client=b")
	// Read until both have seen the same target tick: every tick on the
	// way must be there, once, in order, identical for both clients.
	seqA := []uint64{tickOf(t, a.next())}
	seqB := []uint64{tickOf(t, b.next())}
	target := max(seqA[0], seqB[0]) + 20
	for _, r := range []struct {
		c   *client
		seq *[]uint64
	}{{a, &seqA}, {b, &seqB}} {
		for (*r.seq)[len(*r.seq)-1] < target {
			*r.seq = append(*r.seq, tickOf(t, r.c.next()))
		}
	}
	for name, seq := range map[string][]uint64{"a": seqA, "b": seqB} {
		for i := 1; i < len(seq); i++ {
			if seq[i] != seq[i-1]+1 {
				t.Fatalf("client %s: tick %d after %d", name, seq[i], seq[i-1])
			}
		}
		if seq[len(seq)-1] != target {
			t.Fatalf("client %s ended at %d, want %d", name, seq[len(seq)-1], target)
		}
	}
	if st := e.state(); st.Tick < target || st.TickMs != 10 {
		t.Fatalf("state tick %d (tickMs %d), clients saw %d", st.Tick, st.TickMs, target)
	}
}

func TestEchoAndChat(t *testing.T) {
	e := newEnv(t, Config{})
	ec := e.dial("/ws/echo")
	ec.echoes("hello")
	ec.send(websocket.MessageBinary, "\x00\x01\x02")
	if m := ec.next(); m.typ != websocket.MessageBinary || m.p != "\x00\x01\x02" {
		t.Fatalf("binary echo: %v %q", m.typ, m.p)
	}

	a := e.dial("/ws/chat?client=a")
	b := e.dial("/ws/chat?client=b")
	a.send(websocket.MessageText, "from a")
	for _, c := range []*client{a, b} {
		if m := c.next(); m.p != "from a" {
			t.Fatalf("chat got %q", m.p)
		}
	}
	select {
	case m := <-ec.msgs:
		t.Fatalf("echo client got chat message %q", m.p)
	default:
	}
}
