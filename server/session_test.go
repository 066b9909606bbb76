package server_test

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/redial-ws/redial/internal/fakeclock"
	"github.com/redial-ws/redial/internal/resumewire"
	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
)

// endCause hands a handler's end cause to the test.
func endCause(ch chan<- error) func(context.Context, *server.Session) {
	return func(ctx context.Context, s *server.Session) {
		<-ctx.Done()
		ch <- context.Cause(ctx)
	}
}

// A plain WebSocket client (no ?redial-resume=1) is served through the
// same Session API with no protocol bytes: the server may speak first, and
// a binary message that looks like a HELLO is just a message.
func TestPlainClient(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	causes := make(chan error, 1)
	f := start(t, nil, func(ctx context.Context, s *server.Session) {
		if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(s.ID()) || s.Resumed() {
			t.Errorf("plain session id %q resumed %v", s.ID(), s.Resumed())
		}
		if err := s.Write(ctx, sdk.MessageText, []byte("server first")); err != nil {
			t.Error(err)
		}
		for {
			typ, p, err := s.Read(ctx)
			if err != nil {
				causes <- err
				return
			}
			if err := s.Write(ctx, typ, p); err != nil {
				t.Error(err)
			}
		}
	})
	ws := dialWS(t, ctx, f.plainURL())
	if typ, p, err := ws.Read(ctx); err != nil || typ != websocket.MessageText || string(p) != "server first" {
		t.Fatalf("first message %v %q %v", typ, p, err)
	}
	for _, m := range [][]byte{hello(nil, 0), []byte("text"), {0x10, 0x01, 0x01}} {
		typ := websocket.MessageBinary
		if string(m) == "text" {
			typ = websocket.MessageText
		}
		if err := ws.Write(ctx, typ, m); err != nil {
			t.Fatal(err)
		}
		gt, got, err := ws.Read(ctx)
		if err != nil || gt != typ || string(got) != string(m) {
			t.Fatalf("echo of % x: %v % x %v", m, gt, got, err)
		}
	}
	if err := ws.Close(websocket.StatusNormalClosure, "bye"); err != nil {
		t.Fatal(err)
	}
	var ce *server.CloseError
	if err := <-causes; !errors.As(err, &ce) || ce.Code != 1000 || ce.Local || !errors.Is(err, server.ErrSessionClosed) {
		t.Fatalf("plain session ended with %v", err)
	}
}

// An id the server does not know, a forged one, or a real one presented by
// another principal: close 4504, never a fresh session, never its data.
func TestUnknownOrForeignSessionLost(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	var runs = make(chan string, 10)
	f := start(t, &server.Options{
		Principal: func(r *http.Request) string { return r.URL.Query().Get("user") },
	}, func(ctx context.Context, s *server.Session) {
		runs <- s.ID()
		_ = s.Write(ctx, sdk.MessageText, []byte("secret of "+s.ID()))
		<-ctx.Done()
	})
	id := randomID(t)
	ws := dialWS(t, ctx, f.resumeURL()+"&user=a")
	send(t, ctx, ws, hello(&id, 0))
	wantClose(t, ctx, ws, 4504)

	// A session of user a …
	wsA, w := open(t, ctx, f.resumeURL()+"&user=a", nil, 0)
	if got := readFrame(t, ctx, wsA); string(got.Payload) != "secret of "+<-runs {
		t.Fatalf("a got %q", got.Payload)
	}
	// … resumed by user b with a's real id: refused.
	wsB := dialWS(t, ctx, f.resumeURL()+"&user=b")
	send(t, ctx, wsB, hello(&w.ID, 0))
	wantClose(t, ctx, wsB, 4504)
	// A resume that claims to have delivered more than was ever sent.
	wsC := dialWS(t, ctx, f.resumeURL()+"&user=a")
	send(t, ctx, wsC, hello(&w.ID, 5))
	wantClose(t, ctx, wsC, 1002)
	if len(runs) != 0 {
		t.Fatalf("refused resumes started %d handlers", len(runs))
	}
}

// A client away longer than SessionTTL: the handler's ctx ends with
// ErrSessionExpired and a resume gets 4504. Time is a fake clock.
func TestSessionExpires(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	clk := fakeclock.New(time.Unix(1e9, 0))
	const ttl = time.Minute
	causes := make(chan error, 1)
	f := start(t, &server.Options{Clock: clk, SessionTTL: ttl}, endCause(causes))
	_, w := open(t, ctx, f.resumeURL(), nil, 0)
	f.proxy.Cut()
	if err := clk.WaitFor(ctx, ttl); err != nil { // the expiry wait began
		t.Fatal(err)
	}
	clk.Advance(ttl - time.Second)
	select {
	case err := <-causes:
		t.Fatalf("ended before the TTL: %v", err)
	default:
	}
	clk.Advance(time.Second)
	if err := <-causes; !errors.Is(err, server.ErrSessionExpired) {
		t.Fatalf("cause %v, want ErrSessionExpired", err)
	}
	ws := dialWS(t, ctx, f.resumeURL())
	send(t, ctx, ws, hello(&w.ID, 0))
	wantClose(t, ctx, ws, 4504)
}

// A client that comes back within the TTL finds its session: the same
// handler keeps running, Read and Write continue.
func TestReconnectWithinTTL(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	clk := fakeclock.New(time.Unix(1e9, 0))
	const ttl = time.Minute
	runs := make(chan struct{}, 4)
	f := start(t, &server.Options{Clock: clk, SessionTTL: ttl}, countingEcho(runs))
	ws, w := open(t, ctx, f.resumeURL(), nil, 0)
	send(t, ctx, ws, data(resumewire.KindDataText, 1, "one"))
	if got := readFrame(t, ctx, ws); got.N != 1 || string(got.Payload) != "one" {
		t.Fatalf("echo %+v", got)
	}
	f.proxy.Cut()
	if err := clk.WaitFor(ctx, ttl); err != nil {
		t.Fatal(err)
	}
	clk.Advance(ttl - time.Millisecond)
	ws2, w2 := open(t, ctx, f.resumeURL(), &w.ID, 1)
	if w2.Flags != resumewire.FlagResume || w2.ID != w.ID || w2.N != 1 {
		t.Fatalf("WELCOME %+v", w2)
	}
	clk.Advance(time.Second) // past the old deadline: the attach cancelled the expiry
	send(t, ctx, ws2, data(resumewire.KindDataBinary, 2, "two"))
	if got := readFrame(t, ctx, ws2); got.N != 2 || string(got.Payload) != "two" {
		t.Fatalf("echo after resume %+v", got)
	}
	if len(runs) != 1 {
		t.Fatalf("handler started %d times", len(runs))
	}
}

// Acks are cumulative and batched: one ACK per AckEvery messages read,
// and one AckDelay after a partial batch. Counted on the wire; the
// handler reads in steps the test releases, so the counts are exact.
func TestAckCumulativeBatched(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	clk := fakeclock.New(time.Unix(1e9, 0))
	gate, read := make(chan int), make(chan struct{})
	f := start(t, &server.Options{Clock: clk, AckEvery: 64, AckDelay: 50 * time.Millisecond}, gatedReader(gate, read))
	ws, _ := open(t, ctx, f.resumeURL(), nil, 0)
	for i := uint64(1); i <= 650; i++ {
		send(t, ctx, ws, data(resumewire.KindDataBinary, i, "m"))
	}
	for k := uint64(1); k <= 10; k++ {
		gate <- 64
		<-read
		if a := readFrame(t, ctx, ws); a.Kind != resumewire.KindAck || a.N != 64*k {
			t.Fatalf("batch %d: %s %d, want ACK %d", k, resumewire.KindName(a.Kind), a.N, 64*k)
		}
	}
	gate <- 10
	<-read
	if err := clk.WaitFor(ctx, 50*time.Millisecond); err != nil { // the delay timer started
		t.Fatal(err)
	}
	clk.Advance(50 * time.Millisecond)
	if a := readFrame(t, ctx, ws); a.Kind != resumewire.KindAck || a.N != 650 {
		t.Fatalf("delayed ack: %s %d, want ACK 650", resumewire.KindName(a.Kind), a.N)
	}
	// PING is answered at once with the same nonce; no other frame came
	// in between (11 ACK frames for 650 messages).
	send(t, ctx, ws, resumewire.AppendControl(nil, resumewire.KindPing, 99))
	if p := readFrame(t, ctx, ws); p.Kind != resumewire.KindPong || p.N != 99 {
		t.Fatalf("got %s %d, want PONG 99", resumewire.KindName(p.Kind), p.N)
	}
}

// Frames the server received but the handler had not read yet are not
// acknowledged; the client replays them after a cut, and the server drops
// the copies: the handler reads each once.
func TestReplayedDuplicatesDropped(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	gate := make(chan struct{})
	got := make(chan string, 200)
	f := start(t, nil, func(ctx context.Context, s *server.Session) {
		<-gate
		for {
			_, p, err := s.Read(ctx)
			if err != nil {
				return
			}
			got <- string(p)
		}
	})
	ws, w := open(t, ctx, f.resumeURL(), nil, 0)
	for i := uint64(1); i <= 100; i++ {
		send(t, ctx, ws, data(resumewire.KindDataText, i, strconv.FormatUint(i, 10)))
	}
	// A ping round trip proves the server read all 100 before the cut.
	send(t, ctx, ws, resumewire.AppendControl(nil, resumewire.KindPing, 1))
	if p := readFrame(t, ctx, ws); p.Kind != resumewire.KindPong {
		t.Fatalf("got %s", resumewire.KindName(p.Kind))
	}
	f.proxy.Cut()
	ws2, w2 := open(t, ctx, f.resumeURL(), &w.ID, 0)
	if w2.N != 0 {
		t.Fatalf("WELCOME delivered %d before the handler read anything", w2.N)
	}
	for i := uint64(1); i <= 101; i++ { // the replay, then one new
		send(t, ctx, ws2, data(resumewire.KindDataText, i, strconv.FormatUint(i, 10)))
	}
	close(gate)
	for i := 1; i <= 101; i++ {
		if p := <-got; p != strconv.Itoa(i) {
			t.Fatalf("read %d: %q", i, p)
		}
	}
	// 101 messages read: acked with at most two ACK frames (AckEvery 64,
	// then AckDelay), the last one cumulative for all 101.
	if acks := readAcks(t, ctx, ws2, 101); len(acks) > 2 {
		t.Fatalf("ACKs %v", acks)
	}
}

// readAcks reads ACK frames until one acknowledges last and returns
// their values; each must grow.
func readAcks(t *testing.T, ctx context.Context, ws *websocket.Conn, last uint64) []uint64 {
	t.Helper()
	var acks []uint64
	for len(acks) == 0 || acks[len(acks)-1] < last {
		a := readFrame(t, ctx, ws)
		if a.Kind != resumewire.KindAck || a.N > last || (len(acks) > 0 && a.N <= acks[len(acks)-1]) {
			t.Fatalf("after ACKs %v: %s %d", acks, resumewire.KindName(a.Kind), a.N)
		}
		acks = append(acks, a.N)
	}
	return acks
}

// A client may acknowledge the replay's predecessors the moment WELCOME
// arrives: an ACK for what HELLO already reported delivered is never
// "ahead" (it once raced the writer's bookkeeping and closed with 1002).
func TestAckRightAfterWelcome(t *testing.T) {
	ctx := testCtx(t, 30*time.Second)
	f := start(t, nil, func(ctx context.Context, s *server.Session) {
		_ = s.Write(ctx, sdk.MessageText, []byte("one"))
		<-ctx.Done()
	})
	ws, w := open(t, ctx, f.resumeURL(), nil, 0)
	if d := readFrame(t, ctx, ws); d.N != 1 {
		t.Fatalf("frame %+v", d)
	}
	for range 300 {
		f.proxy.Cut()
		ws, _ = open(t, ctx, f.resumeURL(), &w.ID, 1)
		send(t, ctx, ws, resumewire.AppendControl(nil, resumewire.KindAck, 1))
		// A ping round trip: the ACK was processed without a close.
		send(t, ctx, ws, resumewire.AppendControl(nil, resumewire.KindPing, 5))
		if p := readFrame(t, ctx, ws); p.Kind != resumewire.KindPong {
			t.Fatalf("got %s", resumewire.KindName(p.Kind))
		}
	}
}

// A plain session's Close sends its code through a full close handshake;
// a handler that returns closes with 1000; Server.Close ends a plain
// session still connected with 1012 (and does not wait forever for it).
func TestPlainClose(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	mode := make(chan string, 1)
	f := start(t, nil, func(ctx context.Context, s *server.Session) {
		switch <-mode {
		case "close":
			_ = s.Write(ctx, sdk.MessageText, []byte("last"))
			if err := s.Close(4001, "plain bye"); err != nil {
				t.Error(err)
			}
		case "wait":
			<-ctx.Done()
		}
	})
	for _, m := range []struct {
		mode string
		code websocket.StatusCode
	}{{"close", 4001}, {"return", 1000}, {"wait", 1012}} {
		mode <- m.mode
		ws := dialWS(t, ctx, f.plainURL())
		closed := make(chan error, 1)
		if m.mode == "wait" {
			go func() { closed <- f.srv.Close() }()
		}
		for {
			_, p, err := ws.Read(ctx)
			if err != nil {
				if websocket.CloseStatus(err) != m.code {
					t.Fatalf("%s: ended with %v, want %d", m.mode, err, m.code)
				}
				break
			}
			if string(p) != "last" {
				t.Fatalf("%s: got %q", m.mode, p)
			}
		}
		if m.mode == "wait" {
			if err := <-closed; err != nil {
				t.Fatal(err)
			}
		}
	}
}

// A client whose path stalled (the proxy frozen: TCP up, nothing moving)
// comes back on a new connection while the server still holds the old
// one: the new connection replaces it, the replay fills the gap, and the
// bytes the stalled path held never reach the session.
func TestReattachReplacesStalledConnection(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	runs := make(chan struct{}, 4)
	f := start(t, nil, countingEcho(runs))
	ws1, w := open(t, ctx, f.resumeURL(), nil, 0)
	send(t, ctx, ws1, data(resumewire.KindDataText, 1, "a"))
	if d := readFrame(t, ctx, ws1); d.N != 1 || string(d.Payload) != "a" {
		t.Fatalf("echo %+v", d)
	}
	f.proxy.Freeze()
	send(t, ctx, ws1, data(resumewire.KindDataText, 2, "b")) // held by the frozen path

	direct := f.plainURL() + "?" + server.QueryParam + "=1"
	ws2, w2 := open(t, ctx, direct, &w.ID, 1)
	if w2.N != 1 {
		t.Fatalf("WELCOME delivered %d, want 1", w2.N)
	}
	send(t, ctx, ws2, data(resumewire.KindDataText, 2, "b")) // the replay
	send(t, ctx, ws2, data(resumewire.KindDataText, 3, "c"))
	f.proxy.Thaw() // the old path delivers its held "b" to a closed socket
	for i, want := range []string{"b", "c"} {
		if d := readFrame(t, ctx, ws2); d.N != uint64(i+2) || string(d.Payload) != want {
			t.Fatalf("echo %d: %+v, want %q", i+2, d, want)
		}
	}
	if len(runs) != 1 {
		t.Fatalf("handler started %d times", len(runs))
	}
}

// countingEcho is a handler that echoes every message and signals runs
// each time it starts (once per session, as the server promises).
func countingEcho(runs chan<- struct{}) func(context.Context, *server.Session) {
	return func(ctx context.Context, s *server.Session) {
		runs <- struct{}{}
		for {
			typ, p, err := s.Read(ctx)
			if err != nil {
				return
			}
			_ = s.Write(ctx, typ, p)
		}
	}
}
