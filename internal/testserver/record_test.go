//go:build !js

package testserver

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/redial-ws/redial/internal/wsaccept"
)

func TestLastUpgrade(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	mustDial(t, ctx, s.URL("/echo?token=abc"), &websocket.DialOptions{
		Subprotocols: []string{"redial.v1", "chat"},
		HTTPHeader:   http.Header{"X-Test": {"yes"}},
	})
	u := s.LastUpgrade()
	if u.Method != "GET" || u.Path != "/echo" || u.RawQuery != "token=abc" ||
		!strings.EqualFold(u.Upgrade, "websocket") || !strings.Contains(u.Connection, "Upgrade") ||
		u.Version != "13" || u.Key == "" {
		t.Errorf("last upgrade = %+v", u)
	}
	if !slices.Equal(u.Protocols, []string{"redial.v1", "chat"}) {
		t.Errorf("protocols = %q", u.Protocols)
	}
	if u.Accept != wsaccept.Accept(u.Key) {
		t.Errorf("accept = %q, want %q", u.Accept, wsaccept.Accept(u.Key))
	}
	if got := u.Header["X-Test"]; !slices.Equal(got, []string{"yes"}) {
		t.Errorf("X-Test = %q", got)
	}
}

func TestReceivedOrderAndReset(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	first := mustDial(t, ctx, s.URL("/echo"), nil)
	roundTrip(t, ctx, first, websocket.MessageText, []byte("a"))
	roundTrip(t, ctx, first, websocket.MessageText, []byte("b"))
	_ = first.CloseNow()
	second := mustDial(t, ctx, s.URL("/echo"), nil)
	roundTrip(t, ctx, second, websocket.MessageText, []byte("c"))
	if err := s.WaitReceived(ctx, "/echo", 3); err != nil {
		t.Fatal(err)
	}
	if got := s.Received("/echo"); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("received = %q", got)
	}

	if err := s.WaitLive(ctx, 1); err != nil { // the server noticed first's close
		t.Fatal(err)
	}
	s.Reset()
	if got := s.Received("/echo"); len(got) != 0 || got == nil {
		t.Errorf("received after reset = %#v, want empty non-nil", got)
	}
	if s.Accepted() != 0 || s.LastUpgrade().Key != "" {
		t.Errorf("reset left accepted=%d last=%+v", s.Accepted(), s.LastUpgrade())
	}
	if s.Live() != 1 {
		t.Errorf("reset touched live connections: %d", s.Live())
	}
}

func TestWaitRespectsContext(t *testing.T) {
	s := start(t)
	ctx, cancel := context.WithTimeout(testCtx(t), 20*time.Millisecond)
	defer cancel()
	if err := s.WaitLive(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitLive = %v", err)
	}
	if err := s.WaitAccepted(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitAccepted = %v", err)
	}
}

func TestWaitWakesOnEvent(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	done := make(chan error, 1)
	go func() { done <- s.WaitAccepted(ctx, 1) }()
	mustDial(t, ctx, s.URL("/echo"), nil)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
