//go:build !js

package testserver

import (
	"errors"
	"syscall"
	"testing"

	"github.com/coder/websocket"
)

func TestDrop(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	a := mustDial(t, ctx, s.URL("/echo"), nil)
	b := mustDial(t, ctx, s.URL("/ticker?ms=10000"), nil)
	if n := s.Live(); n != 2 {
		t.Fatalf("live = %d, want 2", n)
	}
	s.Drop()
	if n := s.Live(); n != 0 {
		t.Errorf("live = %d right after Drop, want 0", n)
	}
	wantCut(t, readErr(ctx, a))
	wantCut(t, readErr(ctx, b))
	if n := s.Accepted(); n != 2 {
		t.Errorf("accepted = %d, want 2", n)
	}
}

func TestCloseAll(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	a := readErrAsync(ctx, mustDial(t, ctx, s.URL("/echo"), nil))
	b := readErrAsync(ctx, mustDial(t, ctx, s.URL("/stall"), nil))
	s.CloseAll(4002, "bye")
	if n := s.Live(); n != 0 {
		t.Errorf("live = %d right after CloseAll, want 0", n)
	}
	wantClose(t, <-a, 4002, "bye")
	wantClose(t, <-b, 4002, "bye")
}

func TestStopRestart(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	u := s.URL("/echo")
	c := mustDial(t, ctx, u, nil)

	s.Stop()
	wantCut(t, readErr(ctx, c))
	if n := s.Live(); n != 0 {
		t.Errorf("live = %d after Stop", n)
	}
	if _, _, err := dial(t, ctx, u, nil); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial while stopped = %v, want connection refused", err)
	}
	s.Stop() // idempotent

	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := s.Restart(); err != nil { // no-op while running
		t.Fatal(err)
	}
	if s.URL("/echo") != u {
		t.Fatalf("URL changed across restart: %s -> %s", u, s.URL("/echo"))
	}
	roundTrip(t, ctx, mustDial(t, ctx, u, nil), websocket.MessageText, []byte("back"))
}

func TestCloseEndsEverything(t *testing.T) {
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	mustDial(t, ctx, s.URL("/stall"), nil)
	mustDial(t, ctx, s.URL("/ticker?ms=1"), nil)
	mustDial(t, ctx, s.URL("/close?after=60000"), nil)
	s.Stop()
	s.Close()
	s.Close() // idempotent
	if err := s.Restart(); err == nil {
		t.Error("Restart after Close succeeded")
	}
	// goleak in TestMain proves no handler or timer survived.
}
