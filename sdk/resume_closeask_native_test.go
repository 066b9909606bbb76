//go:build !js

package sdk_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redial-ws/redial/internal/fakeclock"
	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
)

// TestResumeCloseNeedsNoAckTimer: Close waits until the server
// acknowledged every message, and the last ones (fewer than the server's
// AckEvery) used to wait for its AckDelay timer: 50 ms on every Close,
// which a pipelined benchmark that closes once per run counted as a 2–3×
// slower stream. Close now asks for the ACK (a PING, resume_ackask.go).
// With both clocks fake and never advanced, Close reports every message
// acknowledged (before: its 2 s flush bound ran out and it reported the
// messages as unsent), whether the handler read them before Close was
// called or reads them while Close waits.
func TestResumeCloseNeedsNoAckTimer(t *testing.T) {
	for _, readFirst := range []bool{true, false} {
		name := "handler-reads-during-close"
		if readFirst {
			name = "handler-read-before-close"
		}
		t.Run(name, func(t *testing.T) {
			const n = 10 // < AckEvery (64): no count-batched ACK
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			read := make(chan struct{}, n)
			release := make(chan struct{})
			srv := server.New(&server.Options{Clock: fakeclock.New(time.Now())}, func(ctx context.Context, s *server.Session) {
				if !readFirst {
					select {
					case <-release:
					case <-ctx.Done():
						return
					}
				}
				for {
					if _, _, err := s.Read(ctx); err != nil {
						return
					}
					read <- struct{}{}
				}
			})
			defer srv.Close()
			c := dialAckTest(t, ctx, srv, 0)
			for i := range n {
				if err := c.Write(ctx, sdk.MessageBinary, []byte("m")); err != nil {
					t.Fatalf("Write %d: %v", i+1, err)
				}
			}
			if readFirst {
				for i := range n {
					select {
					case <-read:
					case <-ctx.Done():
						t.Fatalf("the handler read %d of %d", i, n)
					}
				}
			} else {
				close(release)
			}
			if err := c.Close(sdk.StatusNormalClosure, ""); err != nil {
				t.Fatalf("Close = %v; want every message acknowledged without the server's AckDelay", err)
			}
		})
	}
}

// TestResumeCloseAfterEcho: one message out, its echo back, then Close,
// on fresh connections, both clocks stopped: the server's ACK answers
// Close's request within a round trip, and Close must see it, then send
// its close frame. Its flush checked the queue and then made the channel
// it waited on, so an ACK that landed in between released the last
// message without waking it: Close waited its whole 2 s bound and dropped
// the connection without a close frame (the Pipelined benchmark's first
// N=1 run, 3 in 6), and the server, its clock stopped, kept the session
// for a resume that never came.
func TestResumeCloseAfterEcho(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ended := make(chan error, 1)
	srv := server.New(&server.Options{Clock: fakeclock.New(time.Now())}, func(ctx context.Context, s *server.Session) {
		for {
			typ, p, err := s.Read(ctx)
			if err == nil {
				err = s.Write(ctx, typ, p)
			}
			if err != nil {
				ended <- err
				return
			}
		}
	})
	defer srv.Close()
	for i := range 20 {
		c := dialAckTest(t, ctx, srv, 0)
		if err := c.Write(ctx, sdk.MessageBinary, []byte("m")); err != nil {
			t.Fatalf("%d: Write: %v", i, err)
		}
		if _, _, err := c.Read(ctx); err != nil {
			t.Fatalf("%d: Read: %v", i, err)
		}
		if err := c.Close(sdk.StatusNormalClosure, ""); err != nil {
			t.Fatalf("%d: Close = %v; want the message acknowledged", i, err)
		}
		select {
		case err := <-ended:
			var ce *server.CloseError
			if !errors.As(err, &ce) || ce.Code != sdk.StatusNormalClosure {
				t.Fatalf("%d: the handler ended with %v; want the client's close frame 1000", i, err)
			}
		case <-ctx.Done():
			t.Fatalf("%d: the session never ended: Close dropped the connection without a close frame", i)
		}
	}
}
