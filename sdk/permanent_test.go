//go:build !js

package sdk_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redial-ws/redial/sdk"
)

// URLs with nothing wrong in their scheme, host or port that net/url (so
// the native transport) can never parse: each must end Dial at once,
// worded and typed, not retry forever.
func TestURLsOnlyTheTransportRefusesAreFinal(t *testing.T) {
	s := startServer(t)
	host := strings.TrimPrefix(s.URL(""), "ws://")
	for _, tc := range []struct{ url, want string }{
		{"ws://" + host + "/%zz", `invalid URL escape "%zz"`},
		{"ws://" + host + "/a%", `invalid URL escape "%"`},
		{"ws://u:p%zz@" + host + "/", `invalid URL escape "%zz"`},
		{"ws://a%zz:1/", `invalid URL escape "%zz"`},
		{"ws://[fe80::1%zz]:1/", `invalid URL escape "%zz"`},
	} {
		c, err := sdk.Dial(ctxT(t), tc.url, fast(nil))
		var ue *sdk.URLError
		if c != nil || !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Dial(%q) = %v, want a *URLError saying %s", tc.url, err, tc.want)
		}
	}
	// Host names no resolver can look up: Go's refuses them without a
	// query. (A valid name that does not exist today keeps retrying; see
	// TestTransientFailuresKeepRetrying.)
	for _, h := range []string{"exa!mple", "a..b", "-a.example", "1234", "a*b.example", strings.Repeat("a", 64) + ".example"} {
		u := "ws://" + h + ":1/"
		c, err := sdk.Dial(ctxT(t), u, fast(nil))
		var dns *net.DNSError
		if c != nil || !errors.Is(err, sdk.ErrPermanent) || !errors.As(err, &dns) || !strings.Contains(err.Error(), "not a valid DNS name") {
			t.Errorf("Dial(%q) = %v, want ErrPermanent wrapping a *net.DNSError", u, err)
		}
	}
}

// Headers and subprotocols no server could ever receive, and option
// values the docs forbid: refused by Dial before any attempt.
func TestDialRefusesHeadersNoServerCanReceive(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    *sdk.Options
		want string
	}{
		{"CRLF in a value", &sdk.Options{Header: map[string][]string{"X-A": {"1\r\nX-Injected: 2"}}}, "control byte 0x0d"},
		{"LF in a value", &sdk.Options{Header: map[string][]string{"X-A": {"1\n2"}}}, "control byte 0x0a"},
		{"NUL in a value", &sdk.Options{Header: map[string][]string{"X-A": {"a\x00"}}}, "control byte 0x00"},
		{"DEL in a value", &sdk.Options{Header: map[string][]string{"X-A": {"a\x7f"}}}, "control byte 0x7f"},
		{"space in a name", &sdk.Options{Header: map[string][]string{"X A": {"1"}}}, "not an HTTP token"},
		{"colon in a name", &sdk.Options{Header: map[string][]string{"X:A": {"1"}}}, "not an HTTP token"},
		{"empty name", &sdk.Options{Header: map[string][]string{"": {"1"}}}, "not an HTTP token"},
		{"Sec-WebSocket-Key", &sdk.Options{Header: map[string][]string{"Sec-WebSocket-Key": {"x"}}}, "set by the handshake"},
		{"Upgrade", &sdk.Options{Header: map[string][]string{"upgrade": {"h2c"}}}, "set by the handshake"},
		{"Connection", &sdk.Options{Header: map[string][]string{"Connection": {"close"}}}, "set by the handshake"},
		{"Sec-WebSocket-Protocol", &sdk.Options{Header: map[string][]string{"SEC-WEBSOCKET-PROTOCOL": {"chat"}}}, "Options.Subprotocols"},
		{"Host", &sdk.Options{Header: map[string][]string{"Host": {"evil.example"}}}, "NativeOptions.Host"},
		{"Content-Length", &sdk.Options{Header: map[string][]string{"Content-Length": {"5"}}}, "meaningless"},
		{"duplicate subprotocol", &sdk.Options{Subprotocols: []string{"chat", "echo", "chat"}}, "[2] repeats an earlier one"},
		{"empty subprotocol", &sdk.Options{Subprotocols: []string{""}}, "not an HTTP token"},
		{"HTTPClient.Timeout", &sdk.Options{Native: &sdk.NativeOptions{HTTPClient: &http.Client{Timeout: time.Second}}}, "must be 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := sdk.Dial(ctxT(t), "ws://127.0.0.1:1/", tc.o)
			var oe *sdk.OptionError
			if c != nil || !errors.As(err, &oe) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Dial = %v, want an *OptionError saying %q", err, tc.want)
			}
		})
	}
	// Tabs and obs-text (bytes ≥ 0x80) are valid in a field value.
	s := startServer(t)
	dial(t, s.URL("/echo"), fast(&sdk.Options{Header: map[string][]string{"X-A": {"a\tb", "caf\xc3\xa9"}}}))
}

// HeaderFunc's headers are checked on every attempt: a value no server can
// receive ends the Conn at once, on the first attempt or a later one.
func TestHeaderFuncBadValueIsFinal(t *testing.T) {
	s := startServer(t)
	var calls atomic.Int32
	bad := func(context.Context) (map[string][]string, error) {
		calls.Add(1)
		return map[string][]string{"Authorization": {"Bearer a\r\nb"}}, nil
	}
	_, err := sdk.Dial(ctxT(t), s.URL("/echo"), fast(&sdk.Options{HeaderFunc: bad}))
	var oe *sdk.OptionError
	if !errors.As(err, &oe) || oe.Field != "HeaderFunc" || calls.Load() != 1 {
		t.Fatalf("Dial = %v after %d HeaderFunc calls, want an *OptionError for HeaderFunc after 1", err, calls.Load())
	}

	// Good at first, bad after a drop: the reconnect ends the Conn.
	calls.Store(0)
	o := fast(&sdk.Options{HeaderFunc: func(ctx context.Context) (map[string][]string, error) {
		if calls.Add(1) == 1 {
			return map[string][]string{"Authorization": {"Bearer ok"}}, nil
		}
		return bad(ctx)
	}})
	c := dial(t, s.URL("/echo"), o)
	s.Drop()
	if _, _, err := c.Read(ctxT(t)); !errors.As(err, &oe) || !errors.Is(err, sdk.ErrClosed) {
		t.Fatalf("Read after a reconnect with a bad header = %v, want a final *OptionError", err)
	}
}

// What can heal by itself keeps retrying: a refused port, a reset, a name
// that does not resolve today, a dial timeout, a 5xx, a TLS server that
// drops the connection.
func TestTransientFailuresKeepRetrying(t *testing.T) {
	s := startServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := ln.Addr().String()
	_ = ln.Close()
	reset := rawServer(t, func(net.Conn) {})
	silent := rawServer(t, func(c net.Conn) { _, _ = c.Read(make([]byte, 1)) }) // answers nothing until the client gives up
	for name, u := range map[string]string{
		"refused":                "ws://" + refused + "/",
		"reset":                  "ws://" + reset + "/",
		"reset during TLS":       "wss://" + reset + "/",
		"dial timeout":           "ws://" + silent + "/",
		"unknown but valid name": "ws://redial-test.invalid:1/",
		"503":                    s.URL("/status?code=503"),
		"502":                    s.URL("/status?code=502"),
	} {
		t.Run(name, func(t *testing.T) {
			o := fast(&sdk.Options{DialTimeout: sdk.MinDialTimeout})
			rec := newRecorder(o)
			ctx, cancel := context.WithCancel(ctxT(t))
			done := make(chan error, 1)
			go func() {
				c, err := sdk.Dial(ctx, u, o)
				if c != nil {
					_ = c.Close(sdk.StatusNormalClosure, "")
				}
				done <- err
			}()
			for range 3 {
				e := rec.Next(t, "reconnecting", func(e sdk.StateChange) bool { return e.To == sdk.StateReconnecting || e.Final })
				if e.Final || errors.Is(e.Err, sdk.ErrPermanent) {
					t.Fatalf("gave up on a failure that can heal: %v", e)
				}
			}
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Fatalf("Dial = %v, want context.Canceled", err)
			}
		})
	}
}
