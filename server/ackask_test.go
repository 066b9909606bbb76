package server_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/redial-ws/redial/internal/fakeclock"
	"github.com/redial-ws/redial/internal/resumetest"
	"github.com/redial-ws/redial/internal/resumewire"
	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
)

// A PING asks for the pending ACK (docs/resume.md, "Acknowledgements"):
// the server sends it before the PONG when its handler read something not
// yet acknowledged, or, when it had not, as soon as the handler reads the
// next message; never waiting for AckEvery or AckDelay (the fake clock
// never moves here).
func TestPingAsksForAck(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	gate, read := make(chan int), make(chan struct{})
	f := start(t, &server.Options{Clock: fakeclock.New(time.Unix(1e9, 0))}, gatedReader(gate, read))
	ws, _ := open(t, ctx, f.resumeURL(), nil, 0)
	for i := uint64(1); i <= 5; i++ {
		send(t, ctx, ws, data(resumewire.KindDataBinary, i, "m"))
	}
	gate <- 3
	<-read
	send(t, ctx, ws, resumewire.AppendControl(nil, resumewire.KindPing, 7))
	wantFrames(t, ctx, ws, fr{resumewire.KindAck, 3}, fr{resumewire.KindPong, 7})

	// Nothing read since: PONG alone; the next read is acknowledged at once.
	send(t, ctx, ws, resumewire.AppendControl(nil, resumewire.KindPing, 8))
	wantFrames(t, ctx, ws, fr{resumewire.KindPong, 8})
	gate <- 1
	<-read
	wantFrames(t, ctx, ws, fr{resumewire.KindAck, 4})
}

// The server asks for an ACK with a PING once half its replay buffer
// (MaxUnacked here) is unacknowledged, one request at a time: the next
// ACK clears it, and the next half-full window asks again.
func TestServerAsksForAck(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	step := make(chan int)
	f := start(t, &server.Options{MaxUnacked: 4, Clock: fakeclock.New(time.Unix(1e9, 0))},
		func(ctx context.Context, s *server.Session) {
			seq := 0
			for {
				select {
				case n := <-step:
					for range n {
						seq++
						if s.Write(ctx, sdk.MessageText, []byte{'0' + byte(seq)}) != nil {
							return
						}
					}
				case <-ctx.Done():
					return
				}
			}
		})
	ws, _ := open(t, ctx, f.resumeURL(), nil, 0)
	step <- 1
	wantFrames(t, ctx, ws, fr{resumewire.KindDataText, 1}) // 1 of 4: no request
	step <- 1
	// The request follows the frame that made the window half full, or
	// the one before when Write 2 won the race with the writer's check.
	wantFramesAnyOrder(t, ctx, ws, fr{resumewire.KindDataText, 2}, fr{resumewire.KindPing, 1})
	step <- 1 // 3 of 4, a request already out: none
	wantFrames(t, ctx, ws, fr{resumewire.KindDataText, 3})
	send(t, ctx, ws, resumewire.AppendControl(nil, resumewire.KindAck, 1))
	// 2 and 3 unacknowledged: still half full, so the ACK brings the next request.
	wantFrames(t, ctx, ws, fr{resumewire.KindPing, 2})
	send(t, ctx, ws, resumewire.AppendControl(nil, resumewire.KindAck, 3))
	step <- 1 // 1 of 4 again
	wantFrames(t, ctx, ws, fr{resumewire.KindDataText, 4})
	send(t, ctx, ws, resumewire.AppendControl(nil, resumewire.KindPing, 9))
	wantFrames(t, ctx, ws, fr{resumewire.KindPong, 9}) // and no request in between
}

// fr is a frame's kind and number (seq, delivered or nonce).
type fr struct {
	kind byte
	n    uint64
}

// wantFrames reads frames, PINGs included, and checks them against want.
func wantFrames(t *testing.T, ctx context.Context, ws *websocket.Conn, want ...fr) {
	t.Helper()
	for i, w := range want {
		if f := readAny(t, ctx, ws); f != w {
			t.Fatalf("frame %d: %s %d, want %s %d", i+1, resumewire.KindName(f.kind), f.n, resumewire.KindName(w.kind), w.n)
		}
	}
}

// wantFramesAnyOrder reads len(want) frames and checks they are want's.
func wantFramesAnyOrder(t *testing.T, ctx context.Context, ws *websocket.Conn, want ...fr) {
	t.Helper()
	var got []fr
	for range want {
		got = append(got, readAny(t, ctx, ws))
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Fatalf("frames %v; want %v in any order", got, want)
		}
	}
}

// readAny reads one frame, PINGs included, as an fr.
func readAny(t *testing.T, ctx context.Context, ws *websocket.Conn) fr {
	t.Helper()
	f := readAnyFrame(t, ctx, ws)
	return fr{f.Kind, f.N}
}

// An ACK that comes due while the writer is sending the previous one is
// never lost: the Go server used to judge the first unacknowledged read
// (the one that starts the AckDelay timer) by an ackSent its writer was
// about to move, so a read in between armed no timer and the ACK waited
// for the client's next frame (for a window smaller than AckEvery, the
// heartbeat: 25 s). A client that never asks (internal/resumetest) with a
// window of 4 makes every ACK wait for the timer; the test runs the
// server's fake clock one AckDelay at a time, as each timer starts: a
// lost timer stops the stream.
func TestAckTimerNeverLost(t *testing.T) {
	const n = 2000
	ctx := testCtx(t, 10*time.Second)
	clk := fakeclock.New(time.Unix(1e9, 0))
	read := make(chan struct{})
	f := start(t, &server.Options{Clock: clk}, func(ctx context.Context, s *server.Session) {
		for range n {
			if _, _, err := s.Read(ctx); err != nil {
				return
			}
		}
		close(read)
		<-ctx.Done()
	})
	c := resumetest.New(f.resumeURL(), func(byte, []byte) {})
	c.Win = resumewire.NewWindow(4, 1<<20, 0)
	runErr := make(chan error, 1)
	go func() { runErr <- c.Run(ctx) }()
	go func() {
		for clk.WaitFor(ctx, 50*time.Millisecond) == nil {
			clk.Advance(50 * time.Millisecond)
		}
	}()
	for i := range n {
		if err := c.Send(ctx, resumewire.KindDataBinary, []byte("m")); err != nil {
			t.Fatalf("Send %d of %d: %v (the server armed no AckDelay timer for an unacknowledged read)", i+1, n, err)
		}
	}
	select {
	case <-read:
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	}
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-runErr; err != nil {
		t.Fatal(err)
	}
}
