package server_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/redial-ws/redial/internal/resumewire"
	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
)

// Every protocol violation by a client ends its session with a worded
// close (1002, or 1007 for bad UTF-8), and the handler's ctx says so.
func TestProtocolErrors(t *testing.T) {
	cases := []struct {
		name  string
		first []byte // instead of HELLO (nil: a real HELLO)
		then  []byte // after WELCOME
		text  bool   // send then as a text message
		code  websocket.StatusCode
	}{
		{name: "first message not HELLO", first: data(resumewire.KindDataText, 1, "x"), code: 1002},
		{name: "garbage first", first: []byte{0x10, 0x02, 0x00, 0x00}, code: 1002},
		{name: "empty first", first: []byte{}, code: 1002},
		{name: "gap", then: data(resumewire.KindDataText, 2, "x"), code: 1002},
		{name: "seq 0", then: []byte{0x01, 0x00}, code: 1002},
		{name: "text message", then: []byte("hi"), text: true, code: 1002},
		{name: "bad UTF-8", then: data(resumewire.KindDataText, 1, "\xc3\x28"), code: 1007},
		{name: "ack ahead", then: resumewire.AppendControl(nil, resumewire.KindAck, 1), code: 1002},
		{name: "second HELLO", then: hello(nil, 0), code: 1002},
		{name: "WELCOME from client", then: resumewire.Append(nil, &resumewire.Frame{Kind: resumewire.KindWelcome, Version: 1}), code: 1002},
		{name: "unknown kind", then: []byte{0x7f}, code: 1002},
		{name: "non-minimal uvarint", then: []byte{0x03, 0x80, 0x00}, code: 1002},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testCtx(t, 10*time.Second)
			causes := make(chan error, 1)
			f := start(t, nil, endCause(causes))
			ws := dialWS(t, ctx, f.resumeURL())
			if tc.first != nil {
				send(t, ctx, ws, tc.first)
				wantClose(t, ctx, ws, tc.code)
				return // no session was created
			}
			send(t, ctx, ws, hello(nil, 0))
			readFrame(t, ctx, ws) // WELCOME
			typ := websocket.MessageBinary
			if tc.text {
				typ = websocket.MessageText
			}
			if err := ws.Write(ctx, typ, tc.then); err != nil {
				t.Fatal(err)
			}
			wantClose(t, ctx, ws, tc.code)
			var ce *server.CloseError
			if err := <-causes; !errors.As(err, &ce) || !ce.Local || ce.Code != sdk.StatusCode(tc.code) || ce.Reason == "" {
				t.Fatalf("handler cause %v", err)
			}
		})
	}
}

// No HELLO within HelloTimeout: the connection is dropped and no handler
// runs.
func TestHelloTimeout(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	runs := make(chan struct{}, 1)
	f := start(t, &server.Options{HelloTimeout: 50 * time.Millisecond}, func(context.Context, *server.Session) { runs <- struct{}{} })
	ws := dialWS(t, ctx, f.resumeURL())
	if _, _, err := ws.Read(ctx); err == nil {
		t.Fatal("read succeeded on a connection that never sent HELLO")
	}
	if len(runs) != 0 {
		t.Fatal("handler ran")
	}
}

// The replay buffer is bounded: a full one makes Write wait until the
// client acks (backpressure) or ctx ends (nothing written).
func TestWriteBackpressure(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	results := make(chan error, 10)
	proceed := make(chan struct{})
	f := start(t, &server.Options{MaxUnacked: 4}, func(ctx context.Context, s *server.Session) {
		for i := range 4 {
			results <- s.Write(ctx, sdk.MessageText, []byte{'0' + byte(i)})
		}
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		results <- s.Write(short, sdk.MessageText, []byte("5th"))
		cancel()
		<-proceed
		results <- s.Write(ctx, sdk.MessageText, []byte("4"))
		if err := s.Write(ctx, sdk.MessageText, make([]byte, 2<<20)); !errors.Is(err, server.ErrMessageTooBig) {
			t.Errorf("2 MiB write: %v", err)
		}
		if err := s.Write(ctx, sdk.MessageType(9), nil); !errors.Is(err, server.ErrInvalidMessageType) {
			t.Errorf("type 9: %v", err)
		}
		<-ctx.Done()
	})
	ws, _ := open(t, ctx, f.resumeURL(), nil, 0)
	for i := range 4 {
		if err := <-results; err != nil {
			t.Fatal(err)
		}
		if d := readFrame(t, ctx, ws); d.N != uint64(i+1) {
			t.Fatalf("frame %+v", d)
		}
	}
	if err := <-results; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("write into a full buffer: %v, want it to wait until ctx ends", err)
	}
	send(t, ctx, ws, resumewire.AppendControl(nil, resumewire.KindAck, 2))
	close(proceed)
	if err := <-results; err != nil {
		t.Fatal(err)
	}
	if d := readFrame(t, ctx, ws); d.N != 5 || string(d.Payload) != "4" {
		t.Fatalf("after the ack: %+v (seq 5 must follow 4: the refused write took no seq)", d)
	}
}

// Close waits for the client to acknowledge what was written, then closes
// with the given code; a handler that returns closes with 1000; a panic
// closes with 1011.
func TestCloseAndHandlerEnd(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	mode := make(chan string, 1)
	f := start(t, nil, func(ctx context.Context, s *server.Session) {
		switch <-mode {
		case "close":
			for i := range 3 {
				_ = s.Write(ctx, sdk.MessageText, []byte{'a' + byte(i)})
			}
			if err := s.Close(4000, "bye"); err != nil {
				t.Error(err)
			}
			if err := s.Close(4000, "again"); !errors.Is(err, server.ErrSessionClosed) {
				t.Errorf("second close: %v", err)
			}
			if err := s.Write(ctx, sdk.MessageText, nil); !errors.Is(err, server.ErrSessionClosed) {
				t.Errorf("write after close: %v", err)
			}
		case "bad":
			if err := s.Close(1005, ""); !errors.Is(err, sdk.ErrInvalidCloseCode) {
				t.Errorf("close 1005: %v", err)
			}
			if err := s.Close(1000, "\xff"); !errors.Is(err, sdk.ErrInvalidCloseReason) {
				t.Errorf("close with bad UTF-8: %v", err)
			}
		case "panic":
			panic("handler bug")
		}
	})
	for _, m := range []struct {
		mode string
		code websocket.StatusCode
	}{{"close", 4000}, {"bad", 1000}, {"panic", 1011}} {
		mode <- m.mode
		ws, _ := open(t, ctx, f.resumeURL(), nil, 0)
		got := 0
		for {
			_, b, err := ws.Read(ctx)
			if err != nil {
				if websocket.CloseStatus(err) != m.code {
					t.Fatalf("%s: ended with %v, want %d", m.mode, err, m.code)
				}
				break
			}
			if d, _ := resumewire.Decode(b); resumewire.IsData(d.Kind) {
				got++
				send(t, ctx, ws, resumewire.AppendControl(nil, resumewire.KindAck, d.N))
			}
		}
		if m.mode == "close" && got != 3 {
			t.Fatalf("got %d of 3 messages before the close", got)
		}
	}
}
