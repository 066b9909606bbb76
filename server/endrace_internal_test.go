package server

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/redial-ws/redial/internal/resumewire"
)

// TestResumeOnNodeWhoseCopyIsEnding: a client comes back to a node whose
// copy of its session is being ended because another node claimed it
// (end() has marked it ended, not yet unregistered it). The resume must be
// served from the Store (WELCOME, resumed), not refused as lost (4504):
// the session lives on. Found by server/redisstore's TestMovesAcrossNodes
// with the real client (1 run in ~60: "move 170: … closed by server with
// 4504"). Internal: the window between end's two steps is set up here
// directly, as no outside hook can hold it open.
func TestResumeOnNodeWhoseCopyIsEnding(t *testing.T) {
	store := NewMemoryStore(nil)
	srv := New(&Options{Store: store}, func(ctx context.Context, s *Session) { <-ctx.Done() })
	hs := httptest.NewServer(srv)
	defer func() { _ = srv.Close(); hs.Close() }()
	s, err := srv.create("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Claim(context.Background(), s.idStr, time.Minute); err != nil { // another node took it
		t.Fatal(err)
	}
	s.mu.Lock() // end(ErrSessionMoved) has run its first step only
	s.ended, s.endErr = true, ErrSessionMoved
	s.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(hs.URL, "http")+"/?"+QueryParam+"=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	hello := resumewire.Frame{Kind: resumewire.KindHello, Version: resumewire.Version, Flags: resumewire.FlagResume, ID: s.id}
	if err := ws.Write(ctx, websocket.MessageBinary, resumewire.Append(nil, &hello)); err != nil {
		t.Fatal(err)
	}
	_, b, err := ws.Read(ctx)
	if err != nil {
		t.Fatalf("resume refused: %v (close %d); want WELCOME from the store", err, websocket.CloseStatus(err))
	}
	if w, err := resumewire.Decode(b); err != nil || w.Kind != resumewire.KindWelcome || w.Flags != resumewire.FlagResume || w.ID != s.id {
		t.Fatalf("got %+v, %v; want a resumed WELCOME", w, err)
	}
}
