package server_test

import (
	"context"
	"crypto/rand"
	"testing"

	"github.com/coder/websocket"
	"github.com/redial-ws/redial/internal/resumewire"
	"github.com/redial-ws/redial/server"
)

// hello builds a HELLO: a new session when id is nil.
func hello(id *resumewire.SessionID, delivered uint64) []byte {
	f := resumewire.Frame{Kind: resumewire.KindHello, Version: resumewire.Version, N: delivered}
	if id != nil {
		f.Flags, f.ID = resumewire.FlagResume, *id
	}
	return resumewire.Append(nil, &f)
}

func randomID(t *testing.T) resumewire.SessionID {
	var id resumewire.SessionID
	if _, err := rand.Read(id[:]); err != nil {
		t.Fatal(err)
	}
	return id
}

// open dials url, sends HELLO and returns the connection and the WELCOME.
func open(t *testing.T, ctx context.Context, url string, id *resumewire.SessionID, delivered uint64) (*websocket.Conn, resumewire.Frame) {
	t.Helper()
	ws := dialWS(t, ctx, url)
	send(t, ctx, ws, hello(id, delivered))
	w := readFrame(t, ctx, ws)
	if w.Kind != resumewire.KindWelcome {
		t.Fatalf("got %s, want WELCOME", resumewire.KindName(w.Kind))
	}
	return ws, w
}

func send(t *testing.T, ctx context.Context, ws *websocket.Conn, b []byte) {
	t.Helper()
	if err := ws.Write(ctx, websocket.MessageBinary, b); err != nil {
		t.Fatal(err)
	}
}

func data(kind byte, seq uint64, p string) []byte {
	return resumewire.AppendData(nil, kind, seq, []byte(p))
}

// readFrame reads and decodes one frame other than a PING (the server
// asks for ACKs with PINGs: ackask.go); the payload is copied.
func readFrame(t *testing.T, ctx context.Context, ws *websocket.Conn) resumewire.Frame {
	t.Helper()
	for {
		if f := readAnyFrame(t, ctx, ws); f.Kind != resumewire.KindPing {
			return f
		}
	}
}

// readAnyFrame reads and decodes one frame, PINGs included.
func readAnyFrame(t *testing.T, ctx context.Context, ws *websocket.Conn) resumewire.Frame {
	t.Helper()
	typ, b, err := ws.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	f, err := resumewire.Decode(b)
	if err != nil || typ != websocket.MessageBinary {
		t.Fatalf("bad frame % x (%v): %v", b, typ, err)
	}
	return f
}

// gatedReader is a handler that reads n messages for every n sent on
// gate, then signals read.
func gatedReader(gate <-chan int, read chan<- struct{}) func(context.Context, *server.Session) {
	return func(ctx context.Context, s *server.Session) {
		for {
			select {
			case n := <-gate:
				for range n {
					if _, _, err := s.Read(ctx); err != nil {
						return
					}
				}
				read <- struct{}{}
			case <-ctx.Done():
				return
			}
		}
	}
}

// wantClose reads until the connection ends and checks its close code.
func wantClose(t *testing.T, ctx context.Context, ws *websocket.Conn, code websocket.StatusCode) {
	t.Helper()
	for {
		_, b, err := ws.Read(ctx)
		if err != nil {
			if got := websocket.CloseStatus(err); got != code {
				t.Fatalf("connection ended with %v (%v), want close %d", got, err, code)
			}
			return
		}
		if f, _ := resumewire.Decode(b); resumewire.IsData(f.Kind) {
			t.Fatalf("got data %q, want close %d", f.Payload, code)
		}
	}
}
