//go:build !js

package sdk_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/coder/websocket"
	"github.com/redial-ws/redial/internal/resumewire"
	"github.com/redial-ws/redial/sdk"
)

// TestResumeProtocolViolations: a server that breaks docs/resume.md after
// a good WELCOME gets a close with 1002 (1007 for text that is not UTF-8)
// and the Conn ends for good (a *CloseError, Local): a gap is never
// papered over, an ACK for a seq never sent never releases anything.
func TestResumeProtocolViolations(t *testing.T) {
	for _, tc := range []struct {
		name  string
		frame []byte
		typ   websocket.MessageType
		code  sdk.StatusCode
	}{
		{"gap", resumewire.AppendData(nil, resumewire.KindDataText, 2, []byte("skipped 1")), websocket.MessageBinary, 1002},
		{"ack ahead", resumewire.AppendControl(nil, resumewire.KindAck, 5), websocket.MessageBinary, 1002},
		{"text message", []byte("plain"), websocket.MessageText, 1002},
		{"unknown kind", []byte{0x7f, 1}, websocket.MessageBinary, 1002},
		{"second WELCOME", welcomeFrame(0), websocket.MessageBinary, 1002},
		{"bad UTF-8", resumewire.AppendData(nil, resumewire.KindDataText, 1, []byte{0xc3, 0x28}), websocket.MessageBinary, 1007},
	} {
		t.Run(tc.name, func(t *testing.T) {
			peerCode := make(chan websocket.StatusCode, 1)
			sw := rawResume(t, func(ctx context.Context, ws *websocket.Conn, _ int64) {
				_ = ws.Write(ctx, websocket.MessageBinary, welcomeFrame(0))
				_ = ws.Write(ctx, tc.typ, tc.frame)
				for {
					if _, _, err := ws.Read(ctx); err != nil {
						peerCode <- websocket.CloseStatus(err)
						return
					}
				}
			})
			c := dial(t, sw.url, fast(&sdk.Options{Resume: true}))
			_, p, err := c.Read(ctxT(t))
			ce := wantClose(t, err, tc.code)
			if !ce.Local || errors.Is(err, sdk.ErrSessionLost) {
				t.Fatalf("Read = %q, %v: want a local close %d, not a lost session", p, err, tc.code)
			}
			select {
			case got := <-peerCode:
				if got != websocket.StatusCode(tc.code) {
					t.Fatalf("the server saw close %d, want %d", got, tc.code)
				}
			case <-ctxT(t).Done():
				t.Fatal("the server saw no close")
			}
		})
	}
}

// rawResume is a resume server written frame by frame (coder/websocket
// and internal/resumewire, so a test controls every byte) behind the
// fault proxy: it refuses a URL without the resume parameter, reads HELLO,
// then runs serve with the connection's number (1, 2…).
func rawResume(t *testing.T, serve func(ctx context.Context, ws *websocket.Conn, conn int64)) *swapServer {
	var conns atomic.Int64
	return startSwap(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get(resumewire.QueryParam) != resumewire.QueryValue {
			http.Error(w, "no resume parameter", http.StatusBadRequest)
			return
		}
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		if _, _, err := ws.Read(r.Context()); err != nil { // HELLO
			return
		}
		serve(r.Context(), ws, conns.Add(1))
	}))
}

// welcomeFrame is a new session's WELCOME having delivered n.
func welcomeFrame(n uint64) []byte {
	wf := resumewire.Frame{Kind: resumewire.KindWelcome, Version: resumewire.Version, N: n, AckEvery: 64, AckDelayMS: 50}
	wf.ID[0] = 0xaa
	return resumewire.Append(nil, &wf)
}
