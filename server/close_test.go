package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/redial-ws/redial/server"
)

// TestCloseKeepsSharedSessions: Server.Close ends its sessions
// (ErrServerClosed) but leaves them in a Store passed in Options.Store, so
// another node sharing it resumes them (server/redisstore's
// TestServerCloseKeepsSessions does that with the real client); they
// expire after SessionTTL if none does.
func TestCloseKeepsSharedSessions(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	shared := server.NewMemoryStore(nil)
	ended := make(chan error, 1)
	a := start(t, &server.Options{Store: shared}, func(ctx context.Context, s *server.Session) {
		<-ctx.Done()
		ended <- context.Cause(ctx)
	})
	ws, _ := open(t, ctx, a.resumeURL(), nil, 0)
	go func() { // answers the server's close frame (else Close waits 5 s for it)
		for {
			if _, _, err := ws.Read(context.Background()); err != nil {
				return
			}
		}
	}()
	if n := shared.Len(); n != 1 {
		t.Fatalf("%d sessions in the store, want 1", n)
	}
	if err := a.srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-ended; err != server.ErrServerClosed {
		t.Fatalf("handler ended with %v, want ErrServerClosed", err)
	}
	if n := shared.Len(); n != 1 {
		t.Fatalf("%d sessions in the shared store after Close, want 1 (kept for another node)", n)
	}
}
