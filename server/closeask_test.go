package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/redial-ws/redial/internal/fakeclock"
	"github.com/redial-ws/redial/internal/resumewire"
	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
)

// Session.Close waits until the client acknowledged everything written,
// and asks for that ACK with a PING (ackask.go) rather than waiting for
// the client's AckDelay timer: before, a client that acks only on its
// timer (this raw one never does) held every Close for its AckDelay (50
// ms by default), or here the whole 5 s flush bound. The fake clock never
// moves.
func TestCloseAsksForAck(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	closed := make(chan error, 1)
	f := start(t, &server.Options{Clock: fakeclock.New(time.Unix(1e9, 0))}, func(ctx context.Context, s *server.Session) {
		if err := s.Write(ctx, sdk.MessageText, []byte("a")); err != nil {
			closed <- err
			return
		}
		closed <- s.Close(sdk.StatusNormalClosure, "bye")
	})
	ws, _ := open(t, ctx, f.resumeURL(), nil, 0)
	wantFrames(t, ctx, ws, fr{resumewire.KindDataText, 1}, fr{resumewire.KindPing, 1})
	send(t, ctx, ws, resumewire.AppendControl(nil, resumewire.KindAck, 1))
	if _, _, err := ws.Read(ctx); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Fatalf("after the ACK: %v; want the close frame 1000", err)
	}
	if err := <-closed; err != nil {
		t.Fatalf("Close = %v", err)
	}
}
