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
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/redial-ws/redial/internal/wsaccept"
)

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
