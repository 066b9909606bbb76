//go:build !js

package testserver

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"github.com/redial-ws/redial/internal/wsaccept"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func start(t *testing.T) *Server {
	t.Helper()
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// testCtx bounds every wait in a test: a broken fault fails fast, not at the
// global test timeout.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// dial uses a private transport so that no keep-alive connection (after a
// non-101 answer) outlives the test and trips goleak.
func dial(t *testing.T, ctx context.Context, u string, opts *websocket.DialOptions) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	var o websocket.DialOptions
	if opts != nil {
		o = *opts
	}
	o.HTTPClient = &http.Client{Transport: tr}
	c, resp, err := websocket.Dial(ctx, u, &o)
	if c != nil {
		t.Cleanup(func() { _ = c.CloseNow() })
	}
	return c, resp, err
}

func mustDial(t *testing.T, ctx context.Context, u string, opts *websocket.DialOptions) *websocket.Conn {
	t.Helper()
	c, _, err := dial(t, ctx, u, opts)
	if err != nil {
		t.Fatalf("dial %s: %v", u, err)
	}
	return c
}

func roundTrip(t *testing.T, ctx context.Context, c *websocket.Conn, typ websocket.MessageType, msg []byte) {
	t.Helper()
	if err := c.Write(ctx, typ, msg); err != nil {
		t.Fatalf("write: %v", err)
	}
	gotTyp, got, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if gotTyp != typ || !bytes.Equal(got, msg) {
		t.Fatalf("echo = %v %.40q, want %v %.40q", gotTyp, got, typ, msg)
	}
}

// readErr reads until the connection fails and returns that error.
func readErr(ctx context.Context, c *websocket.Conn) error {
	for {
		if _, _, err := c.Read(ctx); err != nil {
			return err
		}
	}
}

// readErrAsync starts reading now (so the client answers close frames while
// the test does something else) and delivers the final error.
func readErrAsync(ctx context.Context, c *websocket.Conn) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- readErr(ctx, c) }()
	return ch
}

func wantClose(t *testing.T, err error, code websocket.StatusCode, reason string) {
	t.Helper()
	var ce websocket.CloseError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want close %d %q", err, code, reason)
	}
	if ce.Code != code || ce.Reason != reason {
		t.Fatalf("close = %d %q, want %d %q", ce.Code, ce.Reason, code, reason)
	}
}

func wantCut(t *testing.T, err error) {
	t.Helper()
	if err == nil || websocket.CloseStatus(err) != -1 {
		t.Fatalf("err = %v (status %d), want a cut with no close frame", err, websocket.CloseStatus(err))
	}
}

func TestEcho(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	c := mustDial(t, ctx, s.URL("/echo"), &websocket.DialOptions{Subprotocols: []string{"chat", "redial.v1"}})

	// Server preference wins, and counters are already up when Dial returns.
	if got := c.Subprotocol(); got != "redial.v1" {
		t.Errorf("subprotocol = %q, want redial.v1", got)
	}
	if s.Live() != 1 || s.Accepted() != 1 {
		t.Errorf("live=%d accepted=%d, want 1 1", s.Live(), s.Accepted())
	}

	roundTrip(t, ctx, c, websocket.MessageText, []byte("hello"))
	roundTrip(t, ctx, c, websocket.MessageBinary, []byte{0, 1, 2})
	c.SetReadLimit(2 << 20)
	roundTrip(t, ctx, c, websocket.MessageBinary, bytes.Repeat([]byte("x"), 1<<20))

	if got := s.Received("/echo"); !slices.Equal(got, []string{"hello"}) {
		t.Errorf("received = %q, want only the text message", got)
	}
	if err := c.Close(websocket.StatusNormalClosure, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitLive(ctx, 0); err != nil {
		t.Fatal(err)
	}
}

func TestClose(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	jsonReason := `{"reconnect":false}`
	for _, tc := range []struct {
		query  string
		code   websocket.StatusCode
		reason string
		after  time.Duration
	}{
		{"", websocket.StatusNormalClosure, "", 0},
		{"?code=4001&reason=" + url.QueryEscape(jsonReason), 4001, jsonReason, 0},
		{"?code=1001&reason=" + jsonReason, websocket.StatusGoingAway, jsonReason, 0}, // unescaped, as sdk tests write it
		{"?code=1008&reason=token+expired", websocket.StatusPolicyViolation, "token expired", 0},
		{"?code=1005", websocket.StatusNoStatusRcvd, "", 0},
		{"?code=1001&reason=bye&after=50", websocket.StatusGoingAway, "bye", 50 * time.Millisecond},
	} {
		t.Run(tc.query, func(t *testing.T) {
			begin := time.Now()
			c := mustDial(t, ctx, s.URL("/close"+tc.query), nil)
			wantClose(t, readErr(ctx, c), tc.code, tc.reason)
			if el := time.Since(begin); el < tc.after {
				t.Errorf("closed after %v, want >= %v", el, tc.after)
			}
		})
	}
	if err := s.WaitLive(ctx, 0); err != nil {
		t.Fatal(err)
	}
}

func TestCloseFirst(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	u := s.URL("/closefirst?code=4000&reason=later&n=2")
	for range 2 {
		c := mustDial(t, ctx, u, nil)
		wantClose(t, readErr(ctx, c), 4000, "later")
	}
	c := mustDial(t, ctx, u, nil)
	roundTrip(t, ctx, c, websocket.MessageText, []byte("now echo"))
	if got := s.Received("/closefirst"); !slices.Equal(got, []string{"now echo"}) {
		t.Errorf("received = %q", got)
	}
}

func TestCut(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	begin := time.Now()
	c := mustDial(t, ctx, s.URL("/cut?after=30"), nil)
	wantCut(t, readErr(ctx, c))
	if el := time.Since(begin); el < 30*time.Millisecond {
		t.Errorf("cut after %v, want >= 30ms", el)
	}
	if err := s.WaitLive(ctx, 0); err != nil {
		t.Fatal(err)
	}
}

func TestStallLeavesPingsUnanswered(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)

	// Control: /echo answers pings, because its handler reads.
	echo := mustDial(t, ctx, s.URL("/echo"), nil)
	echo.CloseRead(ctx)
	if err := echo.Ping(ctx); err != nil {
		t.Fatalf("ping /echo: %v", err)
	}

	c := mustDial(t, ctx, s.URL("/stall"), nil)
	readCtx := c.CloseRead(ctx) // a client reader is needed to see pongs
	pingCtx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if err := c.Ping(pingCtx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ping /stall = %v, want deadline exceeded", err)
	}

	s.Drop()
	select {
	case <-readCtx.Done():
	case <-ctx.Done():
		t.Fatal("Drop did not end the stalled connection")
	}
	if n := s.Live(); n != 0 {
		t.Errorf("live = %d after Drop", n)
	}
}

func TestStatus(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	date := "Wed, 21 Oct 2015 07:28:00 GMT"
	for _, tc := range []struct {
		query      string
		code       int
		retryAfter string
	}{
		{"?code=503&retryAfter=7", 503, "7"},
		{"?code=429&retryAfter=" + url.QueryEscape(date), 429, date},
		{"?code=401", 401, ""},
		{"", 503, ""},
	} {
		t.Run(tc.query, func(t *testing.T) {
			_, resp, err := dial(t, ctx, s.URL("/status"+tc.query), nil)
			if err == nil || resp == nil {
				t.Fatalf("dial: err=%v resp=%v, want an HTTP refusal", err, resp)
			}
			if !resp.Close {
				t.Error("refusal kept the connection alive")
			}
			if resp.StatusCode != tc.code || resp.Header.Get("Retry-After") != tc.retryAfter {
				t.Errorf("got %d Retry-After %q, want %d %q",
					resp.StatusCode, resp.Header.Get("Retry-After"), tc.code, tc.retryAfter)
			}
			if u := s.LastUpgrade(); u.Path != "/status" || u.Accept != "" {
				t.Errorf("last upgrade path=%q accept=%q", u.Path, u.Accept)
			}
		})
	}
	if n := s.Accepted(); n != 0 {
		t.Errorf("accepted = %d, want 0", n)
	}
}

func TestStatusFirst(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	u := s.URL("/statusfirst?code=429&retryAfter=1&n=1")
	_, resp, err := dial(t, ctx, u, nil)
	if err == nil || resp == nil || resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("first dial: err=%v resp=%v", err, resp)
	}
	c := mustDial(t, ctx, u, nil)
	roundTrip(t, ctx, c, websocket.MessageText, []byte("second"))
}

func TestBadAccept(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	_, resp, err := dial(t, ctx, s.URL("/badaccept"), &websocket.DialOptions{Subprotocols: []string{"redial.v1"}})
	if err == nil || !strings.Contains(err.Error(), "Sec-WebSocket-Accept") {
		t.Fatalf("dial err = %v, want an accept mismatch", err)
	}
	if resp == nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("resp = %v, want a 101", resp)
	}
	if p := resp.Header.Get("Sec-WebSocket-Protocol"); p != "redial.v1" {
		t.Errorf("protocol = %q: only the accept should be wrong", p)
	}
	u := s.LastUpgrade()
	if u.Path != "/badaccept" || u.Key == "" || u.Accept == "" || u.Accept == wsaccept.Accept(u.Key) {
		t.Errorf("last upgrade = %+v, want a recorded wrong accept", u)
	}
	if s.Live() != 0 || s.Accepted() != 0 {
		t.Errorf("live=%d accepted=%d, want 0 0", s.Live(), s.Accepted())
	}
}

func TestNoProto(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	c := mustDial(t, ctx, s.URL("/noproto"), &websocket.DialOptions{Subprotocols: []string{"redial.v1"}})
	if p := c.Subprotocol(); p != "" {
		t.Errorf("subprotocol = %q, want none", p)
	}
	roundTrip(t, ctx, c, websocket.MessageText, []byte("x"))
}

func TestHeader(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	c := mustDial(t, ctx, s.URL("/header?token=t%20k"), &websocket.DialOptions{
		HTTPHeader: http.Header{"Authorization": {"Bearer abc"}},
	})
	_, got, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "auth=Bearer abc token=t k" {
		t.Errorf("first message = %q", got)
	}
	roundTrip(t, ctx, c, websocket.MessageText, []byte("then echo"))
}

func TestTicker(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	c := mustDial(t, ctx, s.URL("/ticker?ms=5"), nil)
	for _, want := range []string{"1", "2", "3"} {
		_, got, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Fatalf("tick = %q, want %q", got, want)
		}
	}
	// Messages sent to the ticker are recorded but not echoed.
	if err := c.Write(ctx, websocket.MessageText, []byte("quiet")); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitReceived(ctx, "/ticker", 1); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(websocket.StatusNormalClosure, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitLive(ctx, 0); err != nil {
		t.Fatal(err)
	}
}

func TestLastUpgrade(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	mustDial(t, ctx, s.URL("/echo?token=abc"), &websocket.DialOptions{
		Subprotocols: []string{"redial.v1", "chat"},
		HTTPHeader:   http.Header{"X-Test": {"yes"}},
	})
	u := s.LastUpgrade()
	if u.Method != "GET" || u.Path != "/echo" || u.RawQuery != "token=abc" ||
		!strings.EqualFold(u.Upgrade, "websocket") || !strings.Contains(u.Connection, "Upgrade") ||
		u.Version != "13" || u.Key == "" {
		t.Errorf("last upgrade = %+v", u)
	}
	if !slices.Equal(u.Protocols, []string{"redial.v1", "chat"}) {
		t.Errorf("protocols = %q", u.Protocols)
	}
	if u.Accept != wsaccept.Accept(u.Key) {
		t.Errorf("accept = %q, want %q", u.Accept, wsaccept.Accept(u.Key))
	}
	if got := u.Header["X-Test"]; !slices.Equal(got, []string{"yes"}) {
		t.Errorf("X-Test = %q", got)
	}
}

func TestDrop(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	a := mustDial(t, ctx, s.URL("/echo"), nil)
	b := mustDial(t, ctx, s.URL("/ticker?ms=10000"), nil)
	if n := s.Live(); n != 2 {
		t.Fatalf("live = %d, want 2", n)
	}
	s.Drop()
	if n := s.Live(); n != 0 {
		t.Errorf("live = %d right after Drop, want 0", n)
	}
	wantCut(t, readErr(ctx, a))
	wantCut(t, readErr(ctx, b))
	if n := s.Accepted(); n != 2 {
		t.Errorf("accepted = %d, want 2", n)
	}
}

func TestCloseAll(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	a := readErrAsync(ctx, mustDial(t, ctx, s.URL("/echo"), nil))
	b := readErrAsync(ctx, mustDial(t, ctx, s.URL("/stall"), nil))
	s.CloseAll(4002, "bye")
	if n := s.Live(); n != 0 {
		t.Errorf("live = %d right after CloseAll, want 0", n)
	}
	wantClose(t, <-a, 4002, "bye")
	wantClose(t, <-b, 4002, "bye")
}

func TestStopRestart(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	u := s.URL("/echo")
	c := mustDial(t, ctx, u, nil)

	s.Stop()
	wantCut(t, readErr(ctx, c))
	if n := s.Live(); n != 0 {
		t.Errorf("live = %d after Stop", n)
	}
	if _, _, err := dial(t, ctx, u, nil); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial while stopped = %v, want connection refused", err)
	}
	s.Stop() // idempotent

	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := s.Restart(); err != nil { // no-op while running
		t.Fatal(err)
	}
	if s.URL("/echo") != u {
		t.Fatalf("URL changed across restart: %s -> %s", u, s.URL("/echo"))
	}
	roundTrip(t, ctx, mustDial(t, ctx, u, nil), websocket.MessageText, []byte("back"))
}

func TestReceivedOrderAndReset(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	first := mustDial(t, ctx, s.URL("/echo"), nil)
	roundTrip(t, ctx, first, websocket.MessageText, []byte("a"))
	roundTrip(t, ctx, first, websocket.MessageText, []byte("b"))
	_ = first.CloseNow()
	second := mustDial(t, ctx, s.URL("/echo"), nil)
	roundTrip(t, ctx, second, websocket.MessageText, []byte("c"))
	if err := s.WaitReceived(ctx, "/echo", 3); err != nil {
		t.Fatal(err)
	}
	if got := s.Received("/echo"); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("received = %q", got)
	}

	if err := s.WaitLive(ctx, 1); err != nil { // the server noticed first's close
		t.Fatal(err)
	}
	s.Reset()
	if got := s.Received("/echo"); len(got) != 0 || got == nil {
		t.Errorf("received after reset = %#v, want empty non-nil", got)
	}
	if s.Accepted() != 0 || s.LastUpgrade().Key != "" {
		t.Errorf("reset left accepted=%d last=%+v", s.Accepted(), s.LastUpgrade())
	}
	if s.Live() != 1 {
		t.Errorf("reset touched live connections: %d", s.Live())
	}
}

func TestWaitRespectsContext(t *testing.T) {
	s := start(t)
	ctx, cancel := context.WithTimeout(testCtx(t), 20*time.Millisecond)
	defer cancel()
	if err := s.WaitLive(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitLive = %v", err)
	}
	if err := s.WaitAccepted(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitAccepted = %v", err)
	}
}

func TestWaitWakesOnEvent(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	done := make(chan error, 1)
	go func() { done <- s.WaitAccepted(ctx, 1) }()
	mustDial(t, ctx, s.URL("/echo"), nil)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestCloseEndsEverything(t *testing.T) {
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	mustDial(t, ctx, s.URL("/stall"), nil)
	mustDial(t, ctx, s.URL("/ticker?ms=1"), nil)
	mustDial(t, ctx, s.URL("/close?after=60000"), nil)
	s.Stop()
	s.Close()
	s.Close() // idempotent
	if err := s.Restart(); err == nil {
		t.Error("Restart after Close succeeded")
	}
	// goleak in TestMain proves no handler or timer survived.
}

func TestBadParams(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	for _, q := range []string{"/close?code=x", "/cut?after=-1", "/status?code=42", "/ticker?ms=0", "/closefirst?n=z"} {
		_, resp, err := dial(t, ctx, s.URL(q), nil)
		if err == nil || resp == nil || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: err=%v resp=%v, want 400", q, err, resp)
		}
	}
}
