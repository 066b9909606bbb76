//go:build !js

package testserver

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// startProxy puts a Proxy in front of s's WebSocket port.
func startProxy(t *testing.T, s *Server) *Proxy {
	t.Helper()
	p, err := StartProxy(strings.TrimPrefix(s.URL(""), "ws://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func TestProxyCut(t *testing.T) {
	s := start(t)
	p := startProxy(t, s)
	ctx := testCtx(t)
	u := "ws://" + p.Addr() + "/echo"

	c := mustDial(t, ctx, u, nil)
	roundTrip(t, ctx, c, websocket.MessageText, []byte("through"))
	p.Cut()
	wantCut(t, readErr(ctx, c))
	if err := s.WaitLive(ctx, 0); err != nil { // the server saw the reset too
		t.Fatal(err)
	}

	// The proxy keeps accepting after a cut.
	roundTrip(t, ctx, mustDial(t, ctx, u, nil), websocket.MessageText, []byte("again"))
}

func TestProxyFreezeThaw(t *testing.T) {
	s := start(t)
	p := startProxy(t, s)
	ctx := testCtx(t)
	c := mustDial(t, ctx, "ws://"+p.Addr()+"/echo", nil)
	roundTrip(t, ctx, c, websocket.MessageText, []byte("before"))

	p.Freeze()
	p.Freeze() // idempotent
	if err := c.Write(ctx, websocket.MessageText, []byte("held")); err != nil {
		t.Fatal(err) // the client cannot tell: its kernel accepted the bytes
	}
	// Proving a non-event needs a bounded wait; 100ms is ample on loopback.
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if err := s.WaitReceived(short, "/echo", 2); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("frozen proxy delivered: %v", err)
	}
	if s.Live() != 1 {
		t.Fatalf("live = %d: freeze must keep sockets open", s.Live())
	}

	p.Thaw()
	if err := s.WaitReceived(ctx, "/echo", 2); err != nil {
		t.Fatal(err)
	}
	_, got, err := c.Read(ctx)
	if err != nil || string(got) != "held" {
		t.Fatalf("after thaw read = %q, %v", got, err)
	}
}

func TestProxyTargetDown(t *testing.T) {
	s := start(t)
	p := startProxy(t, s)
	ctx := testCtx(t)
	s.Stop()
	if _, _, err := dial(t, ctx, "ws://"+p.Addr()+"/echo", nil); err == nil {
		t.Fatal("dial through proxy to a stopped server succeeded")
	}
}

func TestProxyCloseWhileFrozen(t *testing.T) {
	s := start(t)
	p, err := StartProxy(strings.TrimPrefix(s.URL(""), "ws://"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	c := mustDial(t, ctx, "ws://"+p.Addr()+"/echo", nil)
	p.Freeze()
	if err := c.Write(ctx, websocket.MessageText, []byte("parked")); err != nil {
		t.Fatal(err)
	}
	p.Close() // must not wait for a Thaw; goleak checks the copiers exited
	p.Close()
	wantCut(t, readErr(ctx, c))
}
