//go:build !js

package testserver

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/redial-ws/redial/internal/wsaccept"
)

// ctl calls the control API the way a browser or Node test would.
func ctl(t *testing.T, ctx context.Context, s *Server, method, path string) (int, string, http.Header) {
	t.Helper()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, method, s.ControlURL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", "http://example.test")
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header
}

// ctlOK asserts a 200 and returns the body.
func ctlOK(t *testing.T, ctx context.Context, s *Server, method, path string) string {
	t.Helper()
	code, body, h := ctl(t, ctx, s, method, path)
	if code != http.StatusOK {
		t.Fatalf("%s %s = %d %q", method, path, code, body)
	}
	if h.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("%s %s: no CORS header", method, path)
	}
	return body
}

func TestControlCORSAndMethods(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	code, _, h := ctl(t, ctx, s, http.MethodOptions, "/drop")
	if code != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != "*" ||
		h.Get("Access-Control-Allow-Methods") == "" {
		t.Errorf("preflight = %d %v", code, h)
	}
	if got := ctlOK(t, ctx, s, http.MethodGet, "/live"); got != "0" {
		t.Errorf("GET /live = %q", got)
	}
	if got := ctlOK(t, ctx, s, http.MethodPost, "/accepted"); got != "0" {
		t.Errorf("POST /accepted = %q", got)
	}
	if code, _, _ := ctl(t, ctx, s, http.MethodPut, "/live"); code != http.StatusMethodNotAllowed {
		t.Errorf("PUT = %d", code)
	}
	if code, _, h := ctl(t, ctx, s, http.MethodGet, "/nope"); code != http.StatusNotFound || h.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("unknown = %d %v", code, h)
	}
	if code, _, _ := ctl(t, ctx, s, http.MethodGet, "/closeall?code=x"); code != http.StatusBadRequest {
		t.Errorf("bad code = %d", code)
	}
}

func TestControlObservations(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	c := mustDial(t, ctx, s.URL("/echo"), &websocket.DialOptions{Subprotocols: []string{"chat"}})
	roundTrip(t, ctx, c, websocket.MessageText, []byte(`{"n":1}`))

	if got := ctlOK(t, ctx, s, "GET", "/live"); got != "1" {
		t.Errorf("/live = %q", got)
	}
	if got := ctlOK(t, ctx, s, "GET", "/accepted"); got != "1" {
		t.Errorf("/accepted = %q", got)
	}
	var received []string
	if err := json.Unmarshal([]byte(ctlOK(t, ctx, s, "GET", "/received?path=/echo")), &received); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(received, []string{`{"n":1}`}) {
		t.Errorf("/received = %q", received)
	}
	var u Upgrade
	if err := json.Unmarshal([]byte(ctlOK(t, ctx, s, "GET", "/lastupgrade")), &u); err != nil {
		t.Fatal(err)
	}
	if u.Path != "/echo" || u.Accept != wsaccept.Accept(u.Key) || !slices.Equal(u.Protocols, []string{"chat"}) {
		t.Errorf("/lastupgrade = %+v", u)
	}

	ctlOK(t, ctx, s, "POST", "/reset")
	if got := ctlOK(t, ctx, s, "GET", "/received?path=/echo"); got != "[]" {
		t.Errorf("/received after reset = %q", got)
	}
}

func TestControlFaults(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	u := s.URL("/echo")

	c := mustDial(t, ctx, u, nil)
	ctlOK(t, ctx, s, "POST", "/drop")
	wantCut(t, readErr(ctx, c))

	done := readErrAsync(ctx, mustDial(t, ctx, u, nil))
	ctlOK(t, ctx, s, "GET", "/closeall?code=4003&reason=go%20away")
	wantClose(t, <-done, 4003, "go away")

	ctlOK(t, ctx, s, "GET", "/stop")
	if _, _, err := dial(t, ctx, u, nil); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial after /stop = %v", err)
	}
	ctlOK(t, ctx, s, "GET", "/restart")
	mustDial(t, ctx, u, nil)

	// /stopfor answers once the port is down and restarts in the background.
	ctlOK(t, ctx, s, "POST", "/stopfor?ms=50")
	if _, _, err := dial(t, ctx, u, nil); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial right after /stopfor = %v", err)
	}
	redialUntilUp(t, ctx, u)
}

// redialUntilUp reconnects the way a client would, until the port is back.
// The server offers no "listening again" event to wait on, because a real
// client would not get one either.
func redialUntilUp(t *testing.T, ctx context.Context, u string) {
	t.Helper()
	for {
		c, _, err := dial(t, ctx, u, nil)
		if err == nil {
			_ = c.CloseNow()
			return
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("redial: %v", err)
		}
		select {
		case <-time.After(5 * time.Millisecond):
		case <-ctx.Done():
			t.Fatal("server never came back")
		}
	}
}

func TestControlWaits(t *testing.T) {
	s := start(t)
	ctx := testCtx(t)
	if code, _, _ := ctl(t, ctx, s, "GET", "/waitlive?n=3&timeout=30"); code != http.StatusGatewayTimeout {
		t.Errorf("unmet wait = %d, want 504", code)
	}

	type result struct {
		code int
		body string
	}
	waits := map[string]chan result{}
	for _, path := range []string{"/waitlive?n=1", "/waitaccepted?n=1", "/waitreceived?path=/echo&n=1"} {
		ch := make(chan result, 1)
		waits[path] = ch
		go func() {
			code, body, _ := ctl(t, ctx, s, "GET", path)
			ch <- result{code, body}
		}()
	}
	c := mustDial(t, ctx, s.URL("/echo"), nil)
	roundTrip(t, ctx, c, websocket.MessageText, []byte("hi"))
	for path, ch := range waits {
		if r := <-ch; r.code != http.StatusOK || r.body != "ok" {
			t.Errorf("%s = %d %q", path, r.code, r.body)
		}
	}
}

func TestCloseEndsControlWaits(t *testing.T) {
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	done := make(chan struct{})
	go func() {
		defer close(done)
		req, _ := http.NewRequestWithContext(ctx, "GET", s.ControlURL()+"/waitlive?n=9&timeout=60000", nil)
		if resp, err := (&http.Client{Transport: tr}).Do(req); err == nil {
			_ = resp.Body.Close()
		}
	}()
	parked := func() (bool, string) { return s.ctrlWaits > 0, "a control wait in progress" }
	if err := s.waitFor(ctx, parked); err != nil {
		t.Fatal(err)
	}
	s.Close() // must end the 60s wait at once, and goleak checks nothing is left
	<-done
}
