package sdk_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redial-ws/redial/sdk"
)

func TestRedactURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ws://127.0.0.1:8080/x?token=SECRET", "ws://127.0.0.1:8080/x?token=xxxxx"},
		{"wss://user:SECRET@host/p", "wss://user:xxxxx@host/p"},
		{"ws://user:SECRET@host:1/p?a=SECRET&b=SECRET2&c=", "ws://user:xxxxx@host:1/p?a=xxxxx&b=xxxxx&c="},
		{"ws://h/?SECRET", "ws://h/?xxxxx"},                          // a bare item may be the key itself
		{"ws://h/?a=1&&SECRET&b", "ws://h/?a=xxxxx&&xxxxx&xxxxx"},    // every item
		{"ws://h/?a=SEC=RET", "ws://h/?a=xxxxx"},                     // '=' inside a value
		{"ws://h/x?token=SECRET#frag", "ws://h/x?token=xxxxx#xxxxx"}, // refused, but printed
		{"ws://h/#SECRET", "ws://h/#xxxxx"},
		{"ws://user:pa/SECRET@host/x", "ws://user:xxxxx@host/x"}, // '/' in a password
		{"ws://user:pa?SECRET@host", "ws://user:xxxxx@host"},     // '?' in a password
		{"ws://user:hunter2?x@h:1/", "ws://user:xxxxx@h:1/"},     // issue 8 retest: was `port "hunter2"`
		{"ws://user:hunter2#x@h/", "ws://user:xxxxx@h/"},         // '#' in a password
		{"ws://user:hunt/er2@h/", "ws://user:xxxxx@h/"},          // '/' in a password
		{"ws://user:12/34@h/?t=S", "ws://user:xxxxx@h/?t=xxxxx"}, // parses as host "user", port 12
		{"ws://user:12?34@h/", "ws://user:xxxxx@h/"},
		{"ws://user:S@@h/?t=S", "ws://user:xxxxx@h/?t=xxxxx"},
		{"ws://user:S@h/?mail=a@b", "ws://user:xxxxx@b"},       // over-masked, never under
		{"ws://h:80/users/@me?t=S", "ws://h:xxxxx@me?t=xxxxx"}, // likewise: a port makes '@' ambiguous
		{"ws://h/users/@me?t=S", "ws://h/users/@me?t=xxxxx"},   // no port: unambiguous
		{"ws://:SECRET@h/", "ws://:xxxxx@h/"},
		{"ws:u:SECRET@h:1://x", "ws:xxxxx@h:1://x"}, // "//" after a userinfo
		{"ws://user@host/", "ws://user@host/"},      // a username stays, as net/url's Redacted
		{"user:SECRET@host/x", "user:xxxxx@host/x"}, // no scheme
		{"ws:user:SECRET@host", "ws:xxxxx@host"},    // no //
		{"wss//host?token=SECRET", "wss//host?token=xxxxx"},
		{"ws://h /x?token=SEC RET", "ws://h /x?token=xxxxx"},
		{"http://[::1]:80/a@b?x=SECRET", "http://[::1]:80/a@b?x=xxxxx"},
		{"ws://h/p?r=http://x/?y=SECRET", "ws://h/p?r=xxxxx"},
		{"ws://h/plain", "ws://h/plain"},
		{"", ""},
	} {
		if got := sdk.RedactURL(tc.in); got != tc.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRedactHeader(t *testing.T) {
	for _, tc := range []struct{ name, value, want string }{
		{"Authorization", "Bearer SECRET", "Bearer xxxxx"},
		{"authorization", "SECRET", "xxxxx"},
		{"Proxy-Authorization", "Basic SECRET", "Basic xxxxx"},
		{"Cookie", "session=SECRET; b=SECRET", "xxxxx"},
		{"Set-Cookie", "id=SECRET; Path=/", "xxxxx"},
		{"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "dGhlIHNhbXBsZSBub25jZQ=="},
		{"X-Trace", "abc", "xxxxx"}, // any header may be a credential
		{"X-Api-Key", "SECRET", "xxxxx"},
		{"Server", "proxy ws://u:SECRET@h/?t=SECRET", "proxy ws://u:xxxxx@h/?t=xxxxx"},
		{"Sec-WebSocket-Protocol", "graphql-ws, bearer.SECRET/abc=", "graphql-ws, bearer.xxxxx"},
		{"Sec-WebSocket-Protocol", "eyJhbGciOiJIUzI1NiJ9SECRETSECRET", "xxxxx"},
		{"Content-Type", "text/plain", "text/plain"},
	} {
		if got := sdk.RedactHeader(tc.name, tc.value); got != tc.want {
			t.Errorf("RedactHeader(%q, %q) = %q, want %q", tc.name, tc.value, got, tc.want)
		}
	}
}

// secrets collects everything redial printed: log records (through a real
// slog handler, as an app would configure it), errors in every rendering,
// and every StateChange, so one check covers every printing path.
type secrets struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *secrets) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *secrets) add(what string, v any) {
	_, _ = fmt.Fprintf(s, "%s: %v | %+v | %s\n", what, v, v, v)
}

// options returns Options whose Logger and OnStateChange feed s.
func (s *secrets) options(o *sdk.Options) *sdk.Options {
	o.Logger = slog.New(slog.NewTextHandler(s, &slog.HandlerOptions{Level: slog.LevelDebug}))
	o.OnStateChange = func(e sdk.StateChange) {
		s.add("event", e)
		if e.Err != nil {
			s.add("event.Err", e.Err)
		}
		if e.Close != nil {
			s.add("event.Close", e.Close)
		}
		if e.Handshake != nil {
			s.add("event.Handshake", e.Handshake)
		}
	}
	return o
}

// check fails if any secret was printed; it also fails if nothing was,
// so a path that prints nothing proves nothing.
func (s *secrets) check(t *testing.T, secret ...string) {
	t.Helper()
	s.mu.Lock()
	out := s.buf.String()
	s.mu.Unlock()
	if out == "" {
		t.Fatal("nothing was printed")
	}
	for _, sec := range secret {
		if strings.Contains(out, sec) {
			t.Errorf("%q was printed:\n%s", sec, out)
		}
	}
}

// refusingAddr is a loopback port nobody listens on.
func refusingAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// silentAddr is a loopback port that accepts TCP and never answers, so a
// handshake there can only time out.
func silentAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l.Addr().String()
}

// TestSecretsNotPrinted is issue 8 §3: a URL's password and query values
// never reach a log record, an error or an event, whatever the path: the
// URL given to Dial or returned by URLFunc; refused, timed out, refused
// at HTTP level; Dial's ctx ending mid-retry.
func TestSecretsNotPrinted(t *testing.T) {
	s := startServer(t)
	refused := refusingAddr(t)
	silent := silentAddr(t)
	slowDial := func(o *sdk.Options) *sdk.Options { o.DialTimeout = sdk.MinDialTimeout; return o }
	hdr := func(o *sdk.Options) *sdk.Options {
		o.Header = map[string][]string{"Authorization": {"Bearer HDRSECRET"}, "Cookie": {"c=COOKIESECRET"}}
		return o
	}
	for _, tc := range []struct {
		name    string
		url     string
		urlFunc bool
		opts    func(*sdk.Options) *sdk.Options
		ctx     time.Duration // Dial's ctx ends after this (0: retries run out first)
		wantAs  any
		wantIs  error
	}{
		{"refused", "ws://" + refused + "/x?token=SECRET", false, hdr, 0, new(*sdk.DialError), syscall.ECONNREFUSED},
		{"refused with password", "ws://user:PASSWORD@" + refused + "/x?token=SECRET&k=SECRET2", false, nil, 0, new(*sdk.DialError), syscall.ECONNREFUSED},
		{"refused via URLFunc", "ws://" + refused + "/x?token=SECRET", true, hdr, 0, new(*sdk.DialError), syscall.ECONNREFUSED},
		{"timed out", "ws://" + silent + "/x?token=SECRET", false, slowDial, 0, new(*sdk.DialError), context.DeadlineExceeded},
		{"ctx ends mid-retry", "ws://" + refused + "/x?token=SECRET", false, nil, 50 * time.Millisecond, new(*sdk.DialError), context.DeadlineExceeded},
		{"HTTP 401", s.URL("/status?code=401&token=SECRET"), false, hdr, 0, new(*sdk.HandshakeError), nil},
		{"HTTP 401 via URLFunc", strings.Replace(s.URL("/status?code=401&token=SECRET"), "ws://", "ws://u:PASSWORD@", 1), true, hdr, 0, new(*sdk.HandshakeError), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out secrets
			o := out.options(fast(nil))
			o.MaxRetries = 2
			if tc.ctx > 0 {
				o.MaxRetries = 0
				o.Backoff = sdk.Backoff{Initial: time.Millisecond, Max: time.Millisecond}
			}
			if tc.opts != nil {
				o = tc.opts(o)
			}
			u := tc.url
			if tc.urlFunc {
				o.URLFunc = func(context.Context) (string, error) { return tc.url, nil }
				u = ""
			}
			ctx := ctxT(t)
			if tc.ctx > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.ctx)
				defer cancel()
			}
			c, err := sdk.Dial(ctx, u, o)
			if c != nil || err == nil {
				t.Fatalf("Dial = %v, %v; want an error", c, err)
			}
			if !errors.As(err, tc.wantAs) {
				t.Errorf("err = %T %v, want %T in its chain", err, err, tc.wantAs)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("err = %v, want it to match %v", err, tc.wantIs)
			}
			out.add("Dial", err)
			for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
				var de *sdk.DialError
				if errors.As(e, &de) {
					out.add("DialError", de)
				}
			}
			out.check(t, "SECRET", "PASSWORD", "HDRSECRET", "COOKIESECRET")
		})
	}
}

// TestErrorTypesRedact: every error type's text, and StateChange.String,
// redact a URL wherever it comes from: a field, or a lower layer's error
// text (net/http's *url.Error quotes the full URL, query and all).
func TestErrorTypesRedact(t *testing.T) {
	lower := errors.New(`failed to WebSocket dial: Get "http://u:***@h/x?token=SECRET": EOF`)
	var out secrets
	for _, err := range []error{
		&sdk.URLError{URL: "ws://u:PASSWORD@h:99999/x?token=SECRET", Reason: "does not parse"},
		&sdk.URLError{URL: "ws://h/x?token=SECRET", Reason: `the browser refused it: SyntaxError: 'ws://h/x?token=SECRET' is invalid`},
		&sdk.DialError{URL: "ws://u:PASSWORD@h/x?token=SECRET", Err: lower},
		&sdk.HandshakeError{StatusCode: 401, Err: lower},
		&sdk.CloseError{Code: sdk.StatusAbnormalClosure, Err: lower},
		&sdk.CloseError{Code: sdk.StatusPolicyViolation, Reason: "go to wss://h/?token=SECRET"},
	} {
		out.add(fmt.Sprintf("%T", err), err)
		out.add("StateChange", sdk.StateChange{To: sdk.StateReconnecting, Err: err})
		if !errors.Is(err, lower) && errors.Unwrap(err) != nil {
			t.Errorf("%T no longer unwraps to the lower error", err)
		}
	}
	out.add("StateChange", sdk.StateChange{To: sdk.StateClosed, Final: true, Err: lower})
	out.add("Handshake", sdk.Handshake{URL: "ws://u:PASSWORD@h/?token=SECRET", RequestHeader: map[string][]string{
		"Authorization": {"Bearer SECRET"}, "Cookie": {"a=SECRET"}}, ResponseHeader: map[string][]string{"Set-Cookie": {"b=SECRET"}}})
	out.check(t, "SECRET", "PASSWORD")
}

// TestBadURLNotPrinted: a URL refused before any attempt is printed
// redacted in the *URLError, whatever is wrong with it.
func TestBadURLNotPrinted(t *testing.T) {
	for _, u := range []string{
		"ws://user:PASSWORD@h:99999/x?token=SECRET",
		"ws://h/x?token=SECRET#frag",
		"ws://h /x?token=SECRET",
		"ftp://user:PASSWORD@h/?token=SECRET",
		"wss//h/?token=SECRET",
		"ws://user:PASS/WORD@h/x", // an unescaped '/' in the password
	} {
		var out secrets
		o := out.options(&sdk.Options{})
		_, err := sdk.Dial(ctxT(t), u, o)
		var ue *sdk.URLError
		if !errors.As(err, &ue) || ue.URL != u {
			t.Errorf("Dial(%q) = %v, want a *URLError holding the URL as given", u, err)
		}
		out.add("Dial", err)
		out.check(t, "SECRET", "PASSWORD", "WORD")
	}
}

// TestHandshakeAndHeadersNotPrinted: an open connection's events and logs
// show neither the query nor the Authorization/Cookie values, and
// Handshake.String keeps the header names but hides their values.
func TestHandshakeAndHeadersNotPrinted(t *testing.T) {
	s := startServer(t)
	var out secrets
	o := out.options(fast(nil))
	o.Header = map[string][]string{"Authorization": {"Bearer HDRSECRET"}}
	o.HeaderFunc = func(context.Context) (map[string][]string, error) {
		return map[string][]string{"Cookie": {"c=COOKIESECRET"}}, nil
	}
	c := dial(t, s.URL("/echo?token=SECRET"), o)
	hs := c.Handshake()
	if !strings.Contains(hs.URL, "token=SECRET") {
		t.Fatalf("Handshake.URL = %q, want the URL as dialed", hs.URL)
	}
	str := hs.String()
	for _, want := range []string{"token=xxxxx", "Authorization: Bearer xxxxx", "Cookie: xxxxx", "101"} {
		if !strings.Contains(str, want) {
			t.Errorf("Handshake.String() = %q, want it to show %q", str, want)
		}
	}
	out.add("Handshake", hs)
	s.Drop() // a reconnect: more events and log lines
	if err := c.Close(sdk.StatusNormalClosure, ""); err != nil {
		t.Fatal(err)
	}
	out.check(t, "SECRET", "HDRSECRET", "COOKIESECRET")
}
