package main

import (
	"context"
	"encoding/json"
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
