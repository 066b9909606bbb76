//go:build !js

package testserver

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"
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
