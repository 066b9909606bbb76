package server_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redial-ws/redial/internal/resumewire"
	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
)

// Two nodes sharing one Store (here a MemoryStore, as issue 11's Redis
// store will be shared): a client that comes back on node B gets B's
// handler with Resumed() true, the replay of what A wrote and it had not
// acknowledged, and never a message A's handler already read; A's handler
// ends at once with ErrSessionMoved (the store's move notice), and a Write
// after that is fenced.
func TestSessionMovesBetweenNodes(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	shared := server.NewMemoryStore(nil)
	aCause := make(chan error, 1)
	a := start(t, &server.Options{Store: shared}, func(ctx context.Context, s *server.Session) {
		_ = s.Write(ctx, sdk.MessageText, []byte("a1"))
		_ = s.Write(ctx, sdk.MessageText, []byte("a2"))
		if _, p, err := s.Read(ctx); err != nil || string(p) != "c1" {
			t.Errorf("A read %q %v", p, err)
		}
		<-ctx.Done() // the move ends it at once (MemoryStore is a MoveNotifier)
		if err := s.Write(context.Background(), sdk.MessageText, []byte("a3")); !errors.Is(err, server.ErrSessionMoved) {
			t.Errorf("A's write after the move: %v", err)
		}
		aCause <- context.Cause(ctx)
	})
	bRead := make(chan string, 4)
	b := start(t, &server.Options{Store: shared}, func(ctx context.Context, s *server.Session) {
		if !s.Resumed() {
			t.Error("B's handler: Resumed() false")
		}
		for {
			_, p, err := s.Read(ctx)
			if err != nil {
				return
			}
			bRead <- string(p)
		}
	})

	wsA, w := open(t, ctx, a.resumeURL(), nil, 0)
	if d := readFrame(t, ctx, wsA); d.N != 1 || string(d.Payload) != "a1" {
		t.Fatalf("from A: %+v", d)
	}
	send(t, ctx, wsA, data(resumewire.KindDataText, 1, "c1"))
	// Wait for A to acknowledge c1 (A stores delivered=1 before that).
	for {
		if f := readFrame(t, ctx, wsA); f.Kind == resumewire.KindAck && f.N == 1 {
			break
		}
	}
	a.proxy.Cut()

	wsB, wb := open(t, ctx, b.resumeURL(), &w.ID, 1)
	if wb.Flags != resumewire.FlagResume || wb.N != 1 {
		t.Fatalf("B's WELCOME %+v: want resumed, delivered 1", wb)
	}
	if d := readFrame(t, ctx, wsB); d.N != 2 || string(d.Payload) != "a2" {
		t.Fatalf("B's replay: %+v, want seq 2 a2", d)
	}
	send(t, ctx, wsB, data(resumewire.KindDataText, 1, "c1")) // a replay crossing the WELCOME: dropped
	send(t, ctx, wsB, data(resumewire.KindDataText, 2, "c2"))
	if p := <-bRead; p != "c2" {
		t.Fatalf("B's handler read %q, want c2 (c1 was A's)", p)
	}
	if err := <-aCause; !errors.Is(err, server.ErrSessionMoved) {
		t.Fatalf("A's handler ended with %v", err)
	}
}
