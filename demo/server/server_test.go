package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"github.com/redial-ws/redial/sdk"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitFor bounds every wait in these tests; nothing sleeps.
const waitFor = 10 * time.Second

// testClock drives /api/restart windows without waiting for them.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	t     *testing.T
	s     *Server
	ts    *httptest.Server
	clock *testClock
}

func newEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	clock := &testClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	if cfg.Now == nil {
		cfg.Now = clock.Now
	}
	if cfg.Tick == 0 {
		cfg.Tick = 10 * time.Millisecond
	}
	s := NewServer(cfg)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close) // runs last: also closes the client's idle connections
	t.Cleanup(s.Close)
	return &env{t: t, s: s, ts: ts, clock: clock}
}

func (e *env) wsURL(path string) string { return "ws" + strings.TrimPrefix(e.ts.URL, "http") + path }

// api calls a control endpoint and decodes its JSON answer.
func (e *env) api(path string, wantStatus int) map[string]any {
	e.t.Helper()
	resp, err := e.ts.Client().Get(e.ts.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	if resp.StatusCode != wantStatus {
		e.t.Fatalf("GET %s: %d %s, want %d", path, resp.StatusCode, b, wantStatus)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		e.t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		e.t.Fatalf("GET %s: %v in %s", path, err, b)
	}
	return v
}

func (e *env) state() State {
	e.t.Helper()
	resp, err := e.ts.Client().Get(e.ts.URL + "/api/state")
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var st State
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		e.t.Fatal(err)
	}
	return st
}

type msg struct {
	typ websocket.MessageType
	p   string
}

// client is a coder/websocket client whose reader goroutine feeds msgs
// (and also answers pings and lets Ping see pongs).
type client struct {
	t    *testing.T
	c    *websocket.Conn
	msgs chan msg
	end  chan error // the read error that ended the connection
}

func (e *env) dialOpts(origin string) *websocket.DialOptions {
	o := &websocket.DialOptions{HTTPClient: e.ts.Client()}
	if origin != "" {
		o.HTTPHeader = http.Header{"Origin": {origin}}
	}
	return o
}

func (e *env) dial(path string) *client {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	c, _, err := websocket.Dial(ctx, e.wsURL(path), e.dialOpts(""))
	if err != nil {
		e.t.Fatalf("dial %s: %v", path, err)
	}
	cl := &client{t: e.t, c: c, msgs: make(chan msg, 1024), end: make(chan error, 1)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			typ, p, err := c.Read(context.Background())
			if err != nil {
				cl.end <- err
				return
			}
			cl.msgs <- msg{typ, string(p)}
		}
	}()
	e.t.Cleanup(func() {
		_ = c.CloseNow()
		<-done
	})
	return cl
}

func (c *client) next() msg {
	c.t.Helper()
	select {
	case m := <-c.msgs:
		return m
	case err := <-c.end:
		c.t.Fatalf("connection ended while waiting for a message: %v", err)
	case <-time.After(waitFor):
		c.t.Fatal("no message")
	}
	return msg{}
}

func (c *client) send(typ websocket.MessageType, p string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := c.c.Write(ctx, typ, []byte(p)); err != nil {
		c.t.Fatal(err)
	}
}

// ended waits for the connection to end and returns the read error.
func (c *client) ended() error {
	c.t.Helper()
	for {
		select {
		case <-c.msgs:
		case err := <-c.end:
			return err
		case <-time.After(waitFor):
			c.t.Fatal("connection did not end")
			return nil
		}
	}
}

// echoes checks the connection still works.
func (c *client) echoes(p string) {
	c.t.Helper()
	c.send(websocket.MessageText, p)
	if m := c.next(); m.p != p {
		c.t.Fatalf("echo %q, want %q", m.p, p)
	}
}

func tickOf(t *testing.T, m msg) uint64 {
	t.Helper()
	var v struct{ Tick uint64 }
	if m.typ != websocket.MessageText || json.Unmarshal([]byte(m.p), &v) != nil || v.Tick == 0 {
		t.Fatalf("not a tick: %v %q", m.typ, m.p)
	}
	return v.Tick
}

func TestTickerIsSharedAndMonotonic(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.dial("/ws/ticker?client=a")
	b := e.dial("/ws/ticker?client=b")
	// Read until both have seen the same target tick: every tick on the
	// way must be there, once, in order, identical for both clients.
	seqA := []uint64{tickOf(t, a.next())}
	seqB := []uint64{tickOf(t, b.next())}
	target := max(seqA[0], seqB[0]) + 20
	for _, r := range []struct {
		c   *client
		seq *[]uint64
	}{{a, &seqA}, {b, &seqB}} {
		for (*r.seq)[len(*r.seq)-1] < target {
			*r.seq = append(*r.seq, tickOf(t, r.c.next()))
		}
	}
	for name, seq := range map[string][]uint64{"a": seqA, "b": seqB} {
		for i := 1; i < len(seq); i++ {
			if seq[i] != seq[i-1]+1 {
				t.Fatalf("client %s: tick %d after %d", name, seq[i], seq[i-1])
			}
		}
		if seq[len(seq)-1] != target {
			t.Fatalf("client %s ended at %d, want %d", name, seq[len(seq)-1], target)
		}
	}
	if st := e.state(); st.Tick < target || st.TickMs != 10 {
		t.Fatalf("state tick %d (tickMs %d), clients saw %d", st.Tick, st.TickMs, target)
	}
}

func TestEchoAndChat(t *testing.T) {
	e := newEnv(t, Config{})
	ec := e.dial("/ws/echo")
	ec.echoes("hello")
	ec.send(websocket.MessageBinary, "\x00\x01\x02")
	if m := ec.next(); m.typ != websocket.MessageBinary || m.p != "\x00\x01\x02" {
		t.Fatalf("binary echo: %v %q", m.typ, m.p)
	}

	a := e.dial("/ws/chat?client=a")
	b := e.dial("/ws/chat?client=b")
	a.send(websocket.MessageText, "from a")
	for _, c := range []*client{a, b} {
		if m := c.next(); m.p != "from a" {
			t.Fatalf("chat got %q", m.p)
		}
	}
	select {
	case m := <-ec.msgs:
		t.Fatalf("echo client got chat message %q", m.p)
	default:
	}
}

func TestCloseDeliversCodeAndReason(t *testing.T) {
	e := newEnv(t, Config{})
	for _, code := range []int{1000, 1001, 1008, 1011, 1012, 1013, 4000, 4500} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			e.t = t
			// Fresh ids: the previous subtest's connections may still be
			// on their way out.
			id := fmt.Sprintf("a%d", code)
			a := e.dial("/ws/echo?client=" + id)
			b := e.dial(fmt.Sprintf("/ws/echo?client=b%d", code))
			reason := fmt.Sprintf("reason %d", code)
			res := e.api(fmt.Sprintf("/api/close?client=%s&code=%d&reason=%s", id, code, url.QueryEscape(reason)), 200)
			if res["ok"] != true || res["affected"] != 1.0 || res["code"] != float64(code) || res["client"] != id || res["all"] != false {
				t.Fatalf("answer %v", res)
			}
			var ce websocket.CloseError
			if err := a.ended(); !errors.As(err, &ce) || int(ce.Code) != code || ce.Reason != reason {
				t.Fatalf("client a ended with %v, want close %d %q", err, code, reason)
			}
			b.echoes("b is untouched")
			_ = b.c.Close(websocket.StatusNormalClosure, "")
		})
	}
}

// Without client=, a close applies to every client.
func TestCloseAllClients(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.dial("/ws/echo?client=a")
	b := e.dial("/ws/ticker?client=b")
	if res := e.api("/api/close?code=1012", 200); res["affected"] != 2.0 || res["all"] != true {
		t.Fatalf("answer %v", res)
	}
	for _, c := range []*client{a, b} {
		if err := c.ended(); websocket.CloseStatus(err) != websocket.StatusServiceRestart {
			t.Fatalf("ended with %v", err)
		}
	}
}

func TestCloseEndpointFilter(t *testing.T) {
	e := newEnv(t, Config{})
	echo := e.dial("/ws/echo?client=a")
	tick := e.dial("/ws/ticker?client=a")
	if res := e.api("/api/close?client=a&endpoint=ticker&code=4000", 200); res["affected"] != 1.0 || res["endpoint"] != "ticker" {
		t.Fatalf("answer %v", res)
	}
	if err := tick.ended(); websocket.CloseStatus(err) != 4000 {
		t.Fatalf("ticker ended with %v", err)
	}
	echo.echoes("echo is untouched")
}

func TestCutGivesNoCloseFrame(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.dial("/ws/echo?client=a")
	b := e.dial("/ws/echo?client=b")
	if res := e.api("/api/cut?client=a", 200); res["affected"] != 1.0 {
		t.Fatalf("answer %v", res)
	}
	err := a.ended()
	if code := websocket.CloseStatus(err); code != -1 {
		t.Fatalf("cut delivered close %d (%v); want no close frame", code, err)
	}
	b.echoes("still here")
}

func TestStallStopsTicksAndPongs(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.dial("/ws/ticker?client=a")
	b := e.dial("/ws/ticker?client=b")
	tickOf(t, a.next())

	if res := e.api("/api/stall?client=a&ms=60000", 200); res["affected"] != 1.0 || res["ms"] != 60000.0 {
		t.Fatalf("answer %v", res)
	}
	// Every tick made from here on is lost for a; anything a gets is older.
	stalledAt, _ := e.s.currentTick()
	if st := e.state(); st.Clients["a"].Stalled != 1 || st.Clients["b"].Stalled != 0 {
		t.Fatalf("state %+v", st.Clients)
	}

	// The TCP connection is up, but a ping is not answered...
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	err := a.c.Ping(ctx)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ping during a stall: %v, want no pong", err)
	}
	// ...and while the shared tick moves on (b sees it), a gets nothing new.
	for {
		n := tickOf(t, b.next())
		if n >= stalledAt+10 {
			break
		}
	}
	drain(t, a, stalledAt)

	// Lifted: a's next tick shows the gap, and pongs come back.
	if res := e.api("/api/stall?client=a&ms=0", 200); res["affected"] != 1.0 {
		t.Fatalf("answer %v", res)
	}
	resumed := waitTickAbove(t, a, stalledAt)
	if resumed < stalledAt+10 {
		t.Fatalf("after the stall a got tick %d; the stall began at %d, b saw %d since", resumed, stalledAt, 10)
	}
	ctx, cancel = context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := a.c.Ping(ctx); err != nil {
		t.Fatalf("ping after the stall: %v", err)
	}
}

// drain fails if a tick newer than limit is waiting on c.
func drain(t *testing.T, c *client, limit uint64) {
	t.Helper()
	for {
		select {
		case m := <-c.msgs:
			if n := tickOf(t, m); n > limit {
				t.Fatalf("stalled client got tick %d, made after the stall began (%d)", n, limit)
			}
		default:
			return
		}
	}
}

func waitTickAbove(t *testing.T, c *client, limit uint64) uint64 {
	t.Helper()
	for {
		if n := tickOf(t, c.next()); n > limit {
			return n
		}
	}
}

func TestStallEndsByItself(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.dial("/ws/ticker?client=a")
	tickOf(t, a.next())
	e.api("/api/stall?ms=50", 200)
	stalledAt, _ := e.s.currentTick()
	waitTickAbove(t, a, stalledAt)
}

func TestRefuseAnswersStatusAndRetryAfter(t *testing.T) {
	e := newEnv(t, Config{})
	for _, tc := range []struct {
		status     int
		retryAfter string
	}{{401, ""}, {429, "7"}, {503, "2"}} {
		q := fmt.Sprintf("/api/refuse?client=a&status=%d&count=2", tc.status)
		if tc.retryAfter != "" {
			q += "&retryAfter=" + tc.retryAfter
		}
		res := e.api(q, 200)
		if res["status"] != float64(tc.status) || res["count"] != 2.0 {
			t.Fatalf("answer %v", res)
		}
		if st := e.state(); len(st.Refusals) != 1 || st.Refusals[0].Remaining != 2 || st.Refusals[0].Client != "a" {
			t.Fatalf("state refusals %+v", st.Refusals)
		}
		b := e.dial("/ws/echo?client=b") // another client is not refused
		b.echoes("b")
		for range 2 {
			ctx, cancel := context.WithTimeout(context.Background(), waitFor)
			_, resp, err := websocket.Dial(ctx, e.wsURL("/ws/echo?client=a"), e.dialOpts(""))
			cancel()
			if err == nil || resp == nil || resp.StatusCode != tc.status || resp.Header.Get("Retry-After") != tc.retryAfter {
				t.Fatalf("refused dial: %v, %+v; want %d with Retry-After %q", err, resp, tc.status, tc.retryAfter)
			}
		}
		if h := e.api("/api/handshake?client=a", 200); h["outcome"] != "refused" || h["status"] != float64(tc.status) || h["accept"] != "" {
			t.Fatalf("handshake report %v", h)
		}
		e.dial("/ws/echo?client=a").echoes("the third attempt gets through")
	}

	// No client: anyone's next attempt.
	e.api("/api/refuse?status=503", 200)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if _, resp, err := websocket.Dial(ctx, e.wsURL("/ws/ticker?client=zz"), e.dialOpts("")); err == nil || resp.StatusCode != 503 {
		t.Fatalf("dial: %v", err)
	}
}

func TestRestartFailsDialsForTheWindow(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.dial("/ws/echo?client=a")
	res := e.api("/api/restart?down=5", 200)
	if res["affected"] != 1.0 || res["downMs"] != 5000.0 || res["all"] != true {
		t.Fatalf("answer %v", res)
	}
	if err := a.ended(); websocket.CloseStatus(err) != -1 {
		t.Fatalf("a live connection was closed with a frame (%v); a restart cuts it", err)
	}
	for range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		_, resp, err := websocket.Dial(ctx, e.wsURL("/ws/echo?client=a"), e.dialOpts(""))
		cancel()
		if err == nil || resp != nil {
			t.Fatalf("dial during the restart: %v, response %+v; want a dropped connection", err, resp)
		}
	}
	if h := e.api("/api/handshake?client=a", 200); h["outcome"] != "reset" || h["status"] != 0.0 {
		t.Fatalf("handshake report %v", h)
	}
	// The page and the API stay up.
	if resp, err := e.ts.Client().Get(e.ts.URL + "/"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("page during the restart: %v", err)
	} else {
		resp.Body.Close()
	}
	st := e.state()
	if len(st.Restarting) != 1 || !st.Restarting[0].All || st.Restarting[0].RemainingMs != 5000 {
		t.Fatalf("state restarting %+v", st.Restarting)
	}

	e.clock.Advance(4999 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if _, _, err := websocket.Dial(ctx, e.wsURL("/ws/echo"), e.dialOpts("")); err == nil {
		t.Fatal("dial 1 ms before the end of the window succeeded")
	}
	e.clock.Advance(time.Millisecond)
	e.dial("/ws/echo?client=a").echoes("back")
	if st := e.state(); len(st.Restarting) != 0 {
		t.Fatalf("state restarting %+v after the window", st.Restarting)
	}
}

func TestRestartOneClient(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.dial("/ws/echo?client=a")
	b := e.dial("/ws/echo?client=b")
	e.api("/api/restart?client=a&down=1.5", 200)
	a.ended()
	b.echoes("b untouched")
	e.dial("/ws/echo?client=b").echoes("b can connect")
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if _, _, err := websocket.Dial(ctx, e.wsURL("/ws/echo?client=a"), e.dialOpts("")); err == nil {
		t.Fatal("a connected during its restart")
	}
	e.api("/api/heal?client=a", 200)
	e.dial("/ws/echo?client=a").echoes("healed")
}

// The native SDK sees a restart as a failed dial and comes back after it.
func TestSDKReconnectsAfterRestart(t *testing.T) {
	e := newEnv(t, Config{})
	ctx := context.Background()
	reconnecting := make(chan sdk.StateChange, 16)
	c, err := sdk.Dial(ctx, e.wsURL("/ws/echo?client=s"), &sdk.Options{
		Backoff: sdk.Backoff{Initial: 5 * time.Millisecond, Max: 20 * time.Millisecond},
		Native:  &sdk.NativeOptions{HTTPClient: e.ts.Client()},
		OnStateChange: func(sc sdk.StateChange) {
			if sc.To == sdk.StateReconnecting {
				select { // never block the SDK's event goroutine
				case reconnecting <- sc:
				default:
				}
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(sdk.StatusNormalClosure, "")
	e.api("/api/restart?down=60", 200)
	<-reconnecting // the cut
	select {
	case sc := <-reconnecting: // a dial that failed in the window
		if sc.Close != nil {
			t.Fatalf("want a failed dial, got %v", sc)
		}
	case <-time.After(waitFor):
		t.Fatal("no failed dial")
	}
	e.clock.Advance(time.Minute)
	if err := c.Write(ctx, sdk.MessageText, []byte("after")); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithTimeout(ctx, waitFor)
	defer cancel()
	if _, p, err := c.Read(rctx); err != nil || string(p) != "after" {
		t.Fatalf("read %q, %v", p, err)
	}
}

func TestHandshakeReportMatchesSDK(t *testing.T) {
	e := newEnv(t, Config{})
	e.api("/api/handshake?client=h", 404)
	ctx := context.Background()
	c, err := sdk.Dial(ctx, e.wsURL("/ws/echo?client=h"), &sdk.Options{
		Subprotocols: []string{"chat"},
		Native:       &sdk.NativeOptions{HTTPClient: e.ts.Client()},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(sdk.StatusNormalClosure, "")
	hs := c.Handshake()
	var got Handshake
	resp, err := e.ts.Client().Get(e.ts.URL + "/api/handshake?client=h")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.Key == "" || got.Key != hs.Key {
		t.Fatalf("server saw key %q, the SDK sent %q", got.Key, hs.Key)
	}
	if got.Accept != hs.Accept || got.ComputedAccept != sdk.ComputeAccept(hs.Key) || !got.AcceptMatches || !hs.AcceptValid {
		t.Fatalf("accept: server wrote %q, computed %q; SDK got %q (valid %v)", got.Accept, got.ComputedAccept, hs.Accept, hs.AcceptValid)
	}
	want := Handshake{Client: "h", Endpoint: "/ws/echo", Outcome: "upgraded", Method: "GET", Path: "/ws/echo", Target: "/ws/echo?client=h",
		Upgrade: "websocket", Connection: "Upgrade", Version: "13", Protocol: "chat", Status: 101,
		StatusText: "Switching Protocols", Subprotocol: "chat", GUID: "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"}
	if got.Client != want.Client || got.Endpoint != want.Endpoint || got.Outcome != want.Outcome || got.Method != want.Method ||
		got.Path != want.Path || got.Target != want.Target || !strings.EqualFold(got.Upgrade, want.Upgrade) || !strings.EqualFold(got.Connection, want.Connection) ||
		got.Version != want.Version || got.Protocol != want.Protocol || got.Status != want.Status ||
		got.StatusText != want.StatusText || got.Subprotocol != want.Subprotocol || got.GUID != want.GUID {
		t.Fatalf("report %+v", got)
	}
	if got.RequestHeaders["Sec-WebSocket-Key"] != hs.Key || got.ResponseHeaders["Sec-WebSocket-Accept"] != hs.Accept {
		t.Fatalf("headers %v / %v", got.RequestHeaders, got.ResponseHeaders)
	}
	if any := e.api("/api/handshake", 200); any["key"] != hs.Key {
		t.Fatalf("last handshake of anyone: %v", any)
	}
}

func TestStateCounts(t *testing.T) {
	e := newEnv(t, Config{})
	e.dial("/ws/echo?client=a")
	e.dial("/ws/ticker?client=a")
	e.dial("/ws/chat?client=b")
	e.dial("/ws/chat")
	st := e.state()
	if st.Total != 4 || len(st.Clients) != 3 ||
		*st.Clients["a"] != (ClientState{Echo: 1, Ticker: 1}) ||
		*st.Clients["b"] != (ClientState{Chat: 1}) ||
		*st.Clients[""] != (ClientState{Chat: 1}) {
		t.Fatalf("state %+v", st)
	}
}

func TestOrigins(t *testing.T) {
	e := newEnv(t, Config{})
	for origin, ok := range map[string]bool{
		"http://localhost:5173":   true,
		"http://127.0.0.1:3000":   true,
		"http://localhost":        true,
		"https://evil.example":    false,
		"http://127.0.0.1.nip.io": false,
	} {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		c, resp, err := websocket.Dial(ctx, e.wsURL("/ws/echo?client=o"), e.dialOpts(origin))
		cancel()
		if ok != (err == nil) {
			t.Errorf("origin %s: %v", origin, err)
		}
		if err == nil {
			_ = c.CloseNow()
		} else if resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("origin %s: %+v", origin, resp)
		}
	}
	if h := e.api("/api/handshake?client=o", 200); h["outcome"] != "rejected" && h["outcome"] != "upgraded" {
		t.Fatalf("report %v", h)
	}
}

func TestBadParams(t *testing.T) {
	e := newEnv(t, Config{})
	for _, q := range []string{
		"/api/close?code=1005", "/api/close?code=abc", "/api/close?code=999",
		"/api/close?reason=" + strings.Repeat("x", 124),
		"/api/stall?ms=-1", "/api/stall?ms=x",
		"/api/refuse?status=200", "/api/refuse?count=0", "/api/refuse?retryAfter=soon",
		"/api/restart?down=x", "/api/restart?down=-1", "/api/restart?down=NaN",
		"/api/cut?endpoint=nope",
	} {
		if res := e.api(q, 400); res["ok"] != false || res["error"] == "" {
			t.Errorf("%s: %v", q, res)
		}
	}
	req, _ := http.NewRequest(http.MethodDelete, e.ts.URL+"/api/state", nil)
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("DELETE: %d", resp.StatusCode)
	}
	// POST with a form body works like GET.
	resp, err = e.ts.Client().PostForm(e.ts.URL+"/api/refuse", url.Values{"status": {"429"}, "client": {"p"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if st := e.state(); resp.StatusCode != 200 || len(st.Refusals) != 1 || st.Refusals[0].Status != 429 || st.Refusals[0].Client != "p" {
		t.Fatalf("POST refuse: %d, %+v", resp.StatusCode, st.Refusals)
	}
}

// Close says 1001 going away to every client, even a stalled one.
func TestCloseSaysGoingAway(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.dial("/ws/echo?client=a")
	b := e.dial("/ws/ticker?client=b")
	e.api("/api/stall?client=b", 200)
	start := time.Now()
	e.s.Close()
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Close took %s", d)
	}
	for _, c := range []*client{a, b} {
		if err := c.ended(); websocket.CloseStatus(err) != websocket.StatusGoingAway {
			t.Fatalf("ended with %v, want 1001", err)
		}
	}
}
