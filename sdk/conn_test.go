package sdk_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redial-ws/redial/internal/testserver"
	"github.com/redial-ws/redial/sdk"
)

func TestEchoTextAndBinary(t *testing.T) {
	s := startServer(t)
	c := dial(t, s.URL("/echo"), fast(nil))
	if c.State() != sdk.StateOpen {
		t.Fatalf("State after Dial = %v, want open", c.State())
	}
	echo(t, c, "hello")
	ctx := ctxT(t)
	bin := []byte{0, 1, 2, 255}
	if err := c.Write(ctx, sdk.MessageBinary, bin); err != nil {
		t.Fatal(err)
	}
	typ, p, err := c.Read(ctx)
	if err != nil || typ != sdk.MessageBinary || string(p) != string(bin) {
		t.Fatalf("binary echo = %v %v %v", typ, p, err)
	}
}

func TestDropReconnectEcho(t *testing.T) {
	s := startServer(t)
	o := fast(nil)
	rec := newRecorder(o)
	c := dial(t, s.URL("/echo"), o)
	rec.Next(t, "open", to(sdk.StateOpen))
	echo(t, c, "before")
	s.Drop()
	e := rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
	if e.From != sdk.StateOpen || e.Attempt != 1 || e.Close == nil || e.Close.Code != sdk.StatusAbnormalClosure {
		t.Fatalf("reconnecting event = %+v, want from open, attempt 1, close 1006", e)
	}
	rec.Next(t, "reopen", to(sdk.StateOpen))
	echo(t, c, "after")
	if n := s.Accepted(); n != 2 {
		t.Fatalf("server accepted %d connections, want 2", n)
	}
}

func TestCutThroughProxyReconnects(t *testing.T) {
	s := startServer(t)
	p, err := testserver.StartProxy(strings.TrimPrefix(s.URL(""), "ws://"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	o := fast(nil)
	rec := newRecorder(o)
	c := dial(t, "ws://"+p.Addr()+"/echo", o)
	echo(t, c, "one")
	p.Cut()
	rec.Next(t, "reconnecting after TCP cut", to(sdk.StateReconnecting))
	rec.Next(t, "reopen", to(sdk.StateOpen))
	echo(t, c, "two")
}

func TestQueuedWhileDownFlushedInOrder(t *testing.T) {
	s := startServer(t)
	o := fast(nil)
	o.Backoff = sdk.Backoff{Initial: 20 * time.Millisecond, Max: 20 * time.Millisecond, NoJitter: true}
	rec := newRecorder(o)
	c := dial(t, s.URL("/echo"), o)
	rec.Next(t, "open", to(sdk.StateOpen))
	s.Stop()
	rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
	ctx := ctxT(t)
	const n = 100
	for i := range n {
		if err := c.Write(ctx, sdk.MessageText, []byte(strconv.Itoa(i))); err != nil {
			t.Fatalf("Write %d while down: %v", i, err)
		}
	}
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		_, p, err := c.Read(ctx)
		if err != nil || string(p) != strconv.Itoa(i) {
			t.Fatalf("message %d after reconnect = %q, %v", i, p, err)
		}
	}
	got := s.Received("/echo")
	if len(got) != n || got[0] != "0" || got[n-1] != strconv.Itoa(n-1) {
		t.Fatalf("server received %d messages (%v…), want %d in order", len(got), got[:min(3, len(got))], n)
	}
}

func TestQueueFullWhileDown(t *testing.T) {
	s := startServer(t)
	o := fast(nil)
	o.MaxQueued = 3
	o.Backoff = sdk.Backoff{Initial: time.Hour, Max: time.Hour}
	rec := newRecorder(o)
	c := dial(t, s.URL("/echo"), o)
	s.Stop()
	rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
	ctx := ctxT(t)
	for i := range 3 {
		if err := c.Write(ctx, sdk.MessageText, []byte("x")); err != nil {
			t.Fatalf("Write %d: %v", i, err)
		}
	}
	err := c.Write(ctx, sdk.MessageText, []byte("x"))
	if !errors.Is(err, sdk.ErrQueueFull) {
		t.Fatalf("4th Write while down = %v, want ErrQueueFull", err)
	}
	var ue *sdk.UnsentError
	if err := c.Close(sdk.StatusNormalClosure, ""); !errors.As(err, &ue) || ue.Messages != 3 {
		t.Fatalf("Close with 3 queued = %v, want *UnsentError{3}", err)
	}
}

func TestWriteWaitsForRoomWhileOpen(t *testing.T) {
	s := startServer(t)
	o := fast(nil)
	o.MaxQueued = 1
	c := dial(t, s.URL("/echo"), o)
	ctx := ctxT(t)
	// A tiny queue while open applies backpressure instead of failing.
	for i := range 50 {
		if err := c.Write(ctx, sdk.MessageText, []byte(strconv.Itoa(i))); err != nil {
			t.Fatalf("Write %d: %v", i, err)
		}
	}
	for i := range 50 {
		if _, p, err := c.Read(ctx); err != nil || string(p) != strconv.Itoa(i) {
			t.Fatalf("Read %d = %q %v", i, p, err)
		}
	}
}

func TestFinalCloseFromServer(t *testing.T) {
	s := startServer(t)
	o := fast(nil)
	rec := newRecorder(o)
	c := dial(t, s.URL("/close?code=1008&reason=token+expired&after=20"), o)
	_, _, err := c.Read(ctxT(t))
	ce := wantClose(t, err, sdk.StatusPolicyViolation)
	if ce.Reason != "token expired" || ce.Local {
		t.Fatalf("close = %+v, want reason 'token expired' from the server", ce)
	}
	e := rec.Next(t, "closed", to(sdk.StateClosed))
	if !e.Final || e.Close == nil || e.Close.Code != 1008 {
		t.Fatalf("closed event = %+v", e)
	}
	if err := c.Write(ctxT(t), sdk.MessageText, []byte("x")); !errors.Is(err, sdk.ErrClosed) {
		t.Fatalf("Write after final close = %v, want ErrClosed", err)
	}
	if s.Accepted() != 1 {
		t.Fatalf("server saw %d connections after a final close, want 1 (no reconnect)", s.Accepted())
	}
}

func TestCloseCodesEndToEnd(t *testing.T) {
	final := []int{1002, 1003, 1007, 1009, 1010, 3500, 4500, 4999}
	retry := []int{1000, 1001, 1011, 1014, 3000, 4000, 4499}
	for _, code := range append(final, retry...) {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			s := startServer(t)
			o := fast(nil)
			rec := newRecorder(o)
			url := s.URL(fmt.Sprintf("/closefirst?code=%d&reason=r%d&n=1", code, code))
			c, err := sdk.Dial(ctxT(t), url, o)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close(sdk.StatusNormalClosure, "")
			e := rec.Next(t, "after server close", func(e sdk.StateChange) bool {
				return e.To == sdk.StateReconnecting || e.To == sdk.StateClosed
			})
			if e.Close == nil || int(e.Close.Code) != code {
				t.Fatalf("event %+v, want close %d", e, code)
			}
			isFinal := e.To == sdk.StateClosed
			if wantFinal := contains(final, code); isFinal != wantFinal {
				t.Fatalf("close %d: final = %v, want %v", code, isFinal, wantFinal)
			}
			if !isFinal {
				rec.Next(t, "reopen", to(sdk.StateOpen))
			}
		})
	}
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func TestServiceRestartWaitsAtLeastFiveSeconds(t *testing.T) {
	s := startServer(t)
	clk := newClock()
	o := fast(nil)
	o.Backoff = sdk.Backoff{} // the default cap (30 s); a cap under 5 s would win
	o.Clock = clk
	rec := newRecorder(o)
	c := dial(t, s.URL("/closefirst?code=1012&reason=deploy&n=1"), o)
	e := rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
	if e.Delay < 5*time.Second || e.Delay > 10*time.Second {
		t.Fatalf("delay after 1012 = %v, want 5–10 s", e.Delay)
	}
	if err := clk.WaitFor(ctxT(t), e.Delay); err != nil {
		t.Fatal(err)
	}
	if s.Accepted() != 1 {
		t.Fatal("reconnected before the wait elapsed")
	}
	clk.Advance(e.Delay)
	rec.Next(t, "reopen", to(sdk.StateOpen))
	echo(t, c, "back")
}

func TestCloseReasonHint(t *testing.T) {
	s := startServer(t)
	o := fast(nil)
	rec := newRecorder(o)
	c := dial(t, s.URL(`/close?code=1001&reason={"reconnect":false}`), o)
	_, _, err := c.Read(ctxT(t))
	wantClose(t, err, sdk.StatusGoingAway)
	if e := rec.Next(t, "closed", to(sdk.StateClosed)); !e.Final {
		t.Fatal("not final")
	}
}

func TestHandshakeStatusFinal(t *testing.T) {
	s := startServer(t)
	for _, code := range []int{400, 401, 403, 404} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			_, err := sdk.Dial(ctxT(t), s.URL(fmt.Sprintf("/status?code=%d", code)), fast(nil))
			var he *sdk.HandshakeError
			if !errors.As(err, &he) || he.StatusCode != code {
				t.Fatalf("Dial = %v, want *HandshakeError %d", err, code)
			}
		})
	}
}

func TestUnauthorizedRefreshesOnceThenStops(t *testing.T) {
	s := startServer(t)
	calls := 0
	o := fast(nil)
	o.URLFunc = func(context.Context) (string, error) {
		calls++
		return s.URL("/status?code=401&token=" + strconv.Itoa(calls)), nil
	}
	_, err := sdk.Dial(ctxT(t), "", o)
	var he *sdk.HandshakeError
	if !errors.As(err, &he) || he.StatusCode != 401 {
		t.Fatalf("Dial = %v, want *HandshakeError 401", err)
	}
	if calls != 2 {
		t.Fatalf("URLFunc called %d times, want 2 (once more after the 401, then stop)", calls)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	for _, status := range []int{429, 503} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			s := startServer(t)
			clk := newClock()
			o := fast(nil)
			o.Backoff = sdk.Backoff{} // the default 30 s cap: Retry-After 7 s is not capped
			o.Clock = clk
			rec := newRecorder(o)
			done := make(chan error, 1)
			var c *sdk.Conn
			go func() {
				var err error
				c, err = sdk.Dial(ctxT(t), s.URL(fmt.Sprintf("/statusfirst?code=%d&retryAfter=7&n=1", status)), o)
				done <- err
			}()
			e := rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
			if e.Delay < 7*time.Second || e.Delay > 8400*time.Millisecond {
				t.Fatalf("delay after %d Retry-After: 7 = %v, want 7–8.4 s", status, e.Delay)
			}
			var he *sdk.HandshakeError
			if !errors.As(e.Err, &he) || he.StatusCode != status {
				t.Fatalf("event err = %v", e.Err)
			}
			if err := clk.WaitFor(ctxT(t), e.Delay); err != nil {
				t.Fatal(err)
			}
			clk.Advance(e.Delay)
			if err := <-done; err != nil {
				t.Fatalf("Dial after Retry-After: %v", err)
			}
			c.Close(sdk.StatusNormalClosure, "")
		})
	}
}

func TestBadAcceptAndNoSubprotocolAreFinal(t *testing.T) {
	s := startServer(t)
	_, err := sdk.Dial(ctxT(t), s.URL("/badaccept"), fast(nil))
	var he *sdk.HandshakeError
	if !errors.As(err, &he) || !strings.Contains(err.Error(), "Sec-WebSocket-Accept") {
		t.Fatalf("bad accept: Dial = %v, want *HandshakeError about Sec-WebSocket-Accept", err)
	}
	o := fast(nil)
	o.Subprotocols = []string{"redial.v1"}
	_, err = sdk.Dial(ctxT(t), s.URL("/noproto"), o)
	if !errors.As(err, &he) || !strings.Contains(err.Error(), "subprotocol") {
		t.Fatalf("no subprotocol: Dial = %v, want *HandshakeError about subprotocols", err)
	}
	if n := s.Accepted(); n > 1 {
		t.Fatalf("server saw %d upgrades; final failures must not retry", n)
	}
}

func TestSubprotocolAgreed(t *testing.T) {
	s := startServer(t)
	o := fast(nil)
	o.Subprotocols = []string{"chat"}
	c := dial(t, s.URL("/echo"), o)
	if c.Subprotocol() != "chat" {
		t.Fatalf("Subprotocol = %q", c.Subprotocol())
	}
}

func TestAttemptResetsOnlyAfterStable(t *testing.T) {
	s := startServer(t)
	clk := newClock()
	o := fast(nil)
	o.Clock = clk
	o.Backoff = sdk.Backoff{Initial: time.Second, NoJitter: true}
	rec := newRecorder(o)
	dial(t, s.URL("/echo"), o)
	rec.Next(t, "open", to(sdk.StateOpen))
	for want := 1; want <= 3; want++ { // flapping: drops right after each open
		s.Drop()
		e := rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
		if e.Attempt != want || e.Delay != time.Duration(1<<(want-1))*time.Second {
			t.Fatalf("flap %d: attempt %d delay %v, want attempt %d delay %v", want, e.Attempt, e.Delay, want, time.Duration(1<<(want-1))*time.Second)
		}
		if err := clk.WaitFor(ctxT(t), e.Delay); err != nil {
			t.Fatal(err)
		}
		clk.Advance(e.Delay)
		rec.Next(t, "open", to(sdk.StateOpen))
	}
	clk.Advance(5 * time.Second) // stayed open 5 s: now stable
	s.Drop()
	if e := rec.Next(t, "reconnecting", to(sdk.StateReconnecting)); e.Attempt != 1 {
		t.Fatalf("after 5 s open: attempt %d, want 1", e.Attempt)
	}
}

func TestHeartbeatDeclaresStalledConnectionDead(t *testing.T) {
	s := startServer(t)
	clk := newClock()
	o := fast(nil)
	o.NoHeartbeat = false
	o.HeartbeatInterval = time.Second
	o.Clock = clk
	rec := newRecorder(o)
	dial(t, s.URL("/stall"), o)
	rec.Next(t, "open", to(sdk.StateOpen))
	for range 3 {
		if err := clk.WaitFor(ctxT(t), time.Second); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Second)
	}
	e := rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
	if !errors.Is(e.Err, sdk.ErrHeartbeatTimeout) {
		t.Fatalf("err = %v, want ErrHeartbeatTimeout", e.Err)
	}
}

// On the real clock: whether a pong beats the next tick is a race the
// fake clock cannot referee, so this runs ten 50 ms intervals for real.
func TestHeartbeatAnsweredKeepsConnection(t *testing.T) {
	s := startServer(t)
	o := fast(nil)
	o.NoHeartbeat = false
	o.HeartbeatInterval = 50 * time.Millisecond
	c := dial(t, s.URL("/echo"), o)
	for end := time.Now().Add(500 * time.Millisecond); time.Now().Before(end); {
		echo(t, c, "ping-pong")
	}
	if c.State() != sdk.StateOpen || s.Accepted() != 1 {
		t.Fatalf("state %v after answered pings, accepted %d", c.State(), s.Accepted())
	}
}

func TestHeartbeatWallClockJump(t *testing.T) {
	s := startServer(t)
	clk := newClock()
	o := fast(nil)
	o.NoHeartbeat = false
	o.HeartbeatInterval = 25 * time.Second
	o.Clock = clk
	rec := newRecorder(o)
	dial(t, s.URL("/echo"), o)
	rec.Next(t, "open", to(sdk.StateOpen))
	if err := clk.WaitFor(ctxT(t), 25*time.Second); err != nil {
		t.Fatal(err)
	}
	clk.Jump(10 * time.Minute) // the laptop slept
	clk.Advance(25 * time.Second)
	e := rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
	if !errors.Is(e.Err, sdk.ErrHeartbeatTimeout) || !strings.Contains(e.Err.Error(), "slept") {
		t.Fatalf("err = %v, want heartbeat timeout naming sleep", e.Err)
	}
}

func TestReadLimitIsFinal1009(t *testing.T) {
	s := startServer(t)
	o := fast(nil)
	o.ReadLimit = 16
	c := dial(t, s.URL("/echo"), o)
	if err := c.Write(ctxT(t), sdk.MessageText, []byte(strings.Repeat("x", 100))); err != nil {
		t.Fatal(err)
	}
	_, _, err := c.Read(ctxT(t))
	if ce := wantClose(t, err, sdk.StatusMessageTooBig); !ce.Local {
		t.Fatalf("close %+v, want local", ce)
	}
}

func TestMaxRetriesAndDialContext(t *testing.T) {
	s := startServer(t)
	s.Stop()
	o := fast(nil)
	o.MaxRetries = 3
	_, err := sdk.Dial(ctxT(t), s.URL("/echo"), o)
	if !errors.Is(err, sdk.ErrRetriesExhausted) {
		t.Fatalf("Dial to a stopped server with MaxRetries 3 = %v, want ErrRetriesExhausted", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = sdk.Dial(ctx, s.URL("/echo"), fast(nil))
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("Dial with 50 ms ctx = %v, want deadline exceeded naming the last error", err)
	}
}

func TestFirstDialIsRetried(t *testing.T) {
	s := startServer(t)
	s.Stop()
	o := fast(nil)
	rec := newRecorder(o)
	done := make(chan error, 1)
	var c *sdk.Conn
	go func() {
		var err error
		c, err = sdk.Dial(ctxT(t), s.URL("/echo"), o)
		done <- err
	}()
	rec.Next(t, "retry of the first dial", func(e sdk.StateChange) bool { return e.To == sdk.StateReconnecting && e.Attempt >= 2 })
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Dial: %v", err)
	}
	echo(t, c, "late")
	c.Close(sdk.StatusNormalClosure, "")
}

func TestReadContextDoesNotCloseConn(t *testing.T) {
	s := startServer(t)
	c := dial(t, s.URL("/echo"), fast(nil))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, _, err := c.Read(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Read = %v, want deadline exceeded", err)
	}
	echo(t, c, "still up")
}

func TestCloseDuringReconnectAndTwice(t *testing.T) {
	s := startServer(t)
	o := fast(nil)
	o.Backoff = sdk.Backoff{Initial: time.Hour, Max: time.Hour}
	rec := newRecorder(o)
	c := dial(t, s.URL("/echo"), o)
	s.Drop()
	rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
	if err := c.Close(4001, "bye"); err != nil {
		t.Fatalf("Close while reconnecting: %v", err)
	}
	if c.State() != sdk.StateClosed {
		t.Fatalf("State = %v", c.State())
	}
	_, _, err := c.Read(ctxT(t))
	if ce := wantClose(t, err, 4001); !ce.Local || ce.Reason != "bye" {
		t.Fatalf("Read after Close = %+v", ce)
	}
	if err := c.Close(sdk.StatusNormalClosure, ""); !errors.Is(err, sdk.ErrClosed) {
		t.Fatalf("second Close = %v, want ErrClosed", err)
	}
}

func TestCloseSendsQueuedThenCloseFrame(t *testing.T) {
	s := startServer(t)
	c, err := sdk.Dial(ctxT(t), s.URL("/echo"), fast(nil))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if err := c.Write(ctxT(t), sdk.MessageText, []byte(strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Close(sdk.StatusNormalClosure, "done"); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got := s.Received("/echo"); len(got) != 20 {
		t.Fatalf("server got %d of 20 messages written before Close", len(got))
	}
}

func TestConcurrentUse(t *testing.T) {
	s := startServer(t)
	o := fast(nil)
	c, err := sdk.Dial(ctxT(t), s.URL("/echo"), o)
	if err != nil {
		t.Fatal(err)
	}
	// Phase a: 8 writers race each other while a reader drops the
	// connection mid-way; phase b: after the reconnect they write again,
	// and Close comes while phase b is still flowing.
	const writers, each = 8, 50
	dropped, phaseB := make(chan struct{}), make(chan struct{})
	write := func(phase string) {
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					err := c.Write(ctxT(t), sdk.MessageText, []byte(fmt.Sprintf("%s-%d-%d", phase, w, i)))
					if err != nil && !errors.Is(err, sdk.ErrQueueFull) && !errors.Is(err, sdk.ErrClosed) {
						t.Errorf("Write: %v", err)
						return
					}
				}
			})
		}
		wg.Wait()
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		n, sawB := 0, false
		for {
			_, p, err := c.Read(ctxT(t))
			if err != nil {
				if !errors.Is(err, sdk.ErrClosed) {
					t.Errorf("Read ended with %v, want ErrClosed", err)
				}
				return
			}
			if n++; n == 100 {
				s.Drop()
				close(dropped)
			}
			if !sawB && strings.HasPrefix(string(p), "b-") {
				sawB = true
				close(phaseB)
			}
		}
	})
	wg.Go(func() { _ = c.State(); _ = c.Handshake(); _ = c.Subprotocol() })
	write("a")
	<-dropped
	wg.Go(func() { write("b") })
	select {
	case <-phaseB:
	case <-time.After(testTimeout):
		t.Fatal("no message written after the reconnect came back")
	}
	var ue *sdk.UnsentError
	if err := c.Close(sdk.StatusNormalClosure, ""); err != nil && !errors.As(err, &ue) {
		t.Errorf("Close under load: %v", err)
	}
	wg.Wait()
}

// On the real clock: the messages must really sit unread while ticks pass.
func TestSlowReaderKeepsConnectionAndMessages(t *testing.T) {
	s := startServer(t)
	o := fast(nil)
	o.NoHeartbeat = false
	o.HeartbeatInterval = 50 * time.Millisecond
	c := dial(t, s.URL("/echo"), o)
	ctx := ctxT(t)
	const n = 40 // far more than the reader's buffer
	for i := range n {
		if err := c.Write(ctx, sdk.MessageText, []byte(strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.WaitReceived(ctx, "/echo", n); err != nil {
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond) // eight heartbeat intervals, the app not reading
	for i := range n {
		if _, p, err := c.Read(ctx); err != nil || string(p) != strconv.Itoa(i) {
			t.Fatalf("message %d = %q, %v", i, p, err)
		}
	}
	if s.Accepted() != 1 {
		t.Fatalf("a slow reader was taken for a dead peer: %d connections", s.Accepted())
	}
}
