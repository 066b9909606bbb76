package server_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/redial-ws/redial/internal/resumetest"
	"github.com/redial-ws/redial/internal/resumewire"
	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
)

// TestWireOverhead counts the bytes on the client's TCP connection for n
// 32-byte messages each way, plain WebSocket vs resume mode, and bounds
// the difference per message (seq header + amortised ACKs). Figures in
// the log: go test -run TestWireOverhead -v ./server/
func TestWireOverhead(t *testing.T) {
	const n, size = 10000, 32
	ctx := testCtx(t, time.Minute)
	payload := make([]byte, size)
	f := start(t, nil, func(ctx context.Context, s *server.Session) {
		go func() {
			for range n {
				if s.Write(ctx, sdk.MessageBinary, payload) != nil {
					return
				}
			}
		}()
		for range n {
			if _, _, err := s.Read(ctx); err != nil {
				return
			}
		}
		<-ctx.Done()
	})

	// Plain: a coder/websocket client on a counted connection.
	pc := resumetest.New("", nil) // only for its dialer and counters
	start := time.Now()
	ws, err := pc.Dial(ctx, f.plainURL())
	if err != nil {
		t.Fatal(err)
	}
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		for range n {
			if ws.Write(ctx, websocket.MessageBinary, payload) != nil {
				return
			}
		}
	}()
	for range n {
		if _, _, err := ws.Read(ctx); err != nil {
			t.Fatal(err)
		}
	}
	<-wrote
	plainTime := time.Since(start)
	_ = ws.Close(websocket.StatusNormalClosure, "")
	plain := float64(pc.BytesIn.Load()+pc.BytesOut.Load()) / (2 * n)

	// Resume: the protocol client, same traffic.
	var got atomic.Int64
	done := make(chan struct{})
	rc := resumetest.New(f.plainURL()+"?"+server.QueryParam+"=1", func(byte, []byte) {
		if got.Add(1) == n {
			close(done)
		}
	})
	start = time.Now()
	runErr := make(chan error, 1)
	go func() { runErr <- rc.Run(ctx) }()
	for range n {
		if err := rc.Send(ctx, resumewire.KindDataBinary, payload); err != nil {
			t.Fatal(err)
		}
	}
	<-done
	for rc.Win.Acked() < n { // the server's last ACK
		select {
		case <-rc.Win.Released():
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		}
	}
	resumeTime := time.Since(start)
	if err := rc.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-runErr; err != nil {
		t.Fatal(err)
	}
	resume := float64(rc.BytesIn.Load()+rc.BytesOut.Load()) / (2 * n)
	t.Logf("%d-byte messages, %d each way: plain %.2f B/msg on the wire, resume %.2f B/msg: +%.2f B/msg "+
		"(%d ACK frames from the server); time plain %s, resume %s (ratio %.2f)",
		size, n, plain, resume, resume-plain, rc.AcksIn.Load(),
		plainTime.Round(time.Millisecond), resumeTime.Round(time.Millisecond), float64(resumeTime)/float64(plainTime))
	if resume-plain > 5 {
		t.Fatalf("resume costs %.2f bytes per message over plain; want ≤ 5", resume-plain)
	}
}
