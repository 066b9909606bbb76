package sdk_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/redial-ws/redial/internal/sdkhooks"
	"github.com/redial-ws/redial/sdk"
)

func TestDialRefusesBadInput(t *testing.T) {
	var nilCtx context.Context
	cases := []struct {
		name string
		ctx  context.Context
		url  string
		opts *sdk.Options
		want any // a sentinel error or a pointer to a typed error
		text string
	}{
		{"nil ctx", nilCtx, "ws://127.0.0.1:1", nil, sdk.ErrNilContext, "nil context"},
		{"empty URL", context.Background(), "", nil, new(*sdk.URLError), "empty"},
		{"malformed URL", context.Background(), "ws://[::1", nil, new(*sdk.URLError), "does not parse"},
		{"unknown scheme", context.Background(), "ftp://example.com", nil, new(*sdk.URLError), `scheme "ftp"`},
		{"no scheme", context.Background(), "example.com/x", nil, new(*sdk.URLError), "no scheme"},
		{"no host", context.Background(), "ws:///path", nil, new(*sdk.URLError), "no host"},
		{"fragment", context.Background(), "ws://example.com/#x", nil, new(*sdk.URLError), "fragment"},
		{"negative queue", context.Background(), "ws://127.0.0.1:1", &sdk.Options{MaxQueued: -1}, new(*sdk.OptionError), "MaxQueued must not be negative"},
		{"negative timeout", context.Background(), "ws://127.0.0.1:1", &sdk.Options{DialTimeout: -time.Second}, new(*sdk.OptionError), "DialTimeout"},
		{"negative retries", context.Background(), "ws://127.0.0.1:1", &sdk.Options{MaxRetries: -3}, new(*sdk.OptionError), "MaxRetries"},
		{"jitter > 1", context.Background(), "ws://127.0.0.1:1", &sdk.Options{Backoff: sdk.Backoff{Jitter: 2}}, new(*sdk.OptionError), "Jitter"},
		{"multiplier < 1", context.Background(), "ws://127.0.0.1:1", &sdk.Options{Backoff: sdk.Backoff{Multiplier: 0.5}}, new(*sdk.OptionError), "Multiplier"},
		{"initial > max", context.Background(), "ws://127.0.0.1:1", &sdk.Options{Backoff: sdk.Backoff{Initial: time.Minute, Max: time.Second}}, new(*sdk.OptionError), "Initial"},
		{"bad subprotocol", context.Background(), "ws://127.0.0.1:1", &sdk.Options{Subprotocols: []string{"a b"}}, new(*sdk.OptionError), "token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := sdk.Dial(tc.ctx, tc.url, tc.opts)
			if c != nil || err == nil {
				t.Fatalf("Dial = %v, %v; want an error", c, err)
			}
			switch w := tc.want.(type) {
			case error:
				if !errors.Is(err, w) {
					t.Fatalf("err = %v, want %v", err, w)
				}
			default:
				if !errors.As(err, w) {
					t.Fatalf("err = %T %v, want %T", err, err, w)
				}
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("err %q does not say %q", err, tc.text)
			}
		})
	}
}

func TestDialDoesNotModifyOptions(t *testing.T) {
	s := startServer(t)
	o := &sdk.Options{Subprotocols: []string{"chat"}, Header: map[string][]string{"X": {"1"}}, NoHeartbeat: true}
	c := dial(t, s.URL("/echo"), o)
	if o.MaxQueued != 0 || o.DialTimeout != 0 || o.Backoff != (sdk.Backoff{}) || sdkhooks.Of(o).Clock != nil {
		t.Fatalf("Dial filled in the caller's Options: %+v", o)
	}
	o.Subprotocols[0] = "mutated"
	if c.Subprotocol() != "chat" {
		t.Fatal("Conn shares the caller's slice")
	}
}

func TestConnMethodsRefuseBadInput(t *testing.T) {
	s := startServer(t)
	o := fast(nil)
	o.MaxQueuedBytes = 64
	c := dial(t, s.URL("/echo"), o)
	var nilCtx context.Context
	if _, _, err := c.Read(nilCtx); !errors.Is(err, sdk.ErrNilContext) {
		t.Errorf("Read(nil) = %v", err)
	}
	if err := c.Write(nilCtx, sdk.MessageText, nil); !errors.Is(err, sdk.ErrNilContext) {
		t.Errorf("Write(nil) = %v", err)
	}
	if err := c.Write(ctxT(t), 7, []byte("x")); !errors.Is(err, sdk.ErrInvalidMessageType) {
		t.Errorf("Write(type 7) = %v", err)
	}
	err := c.Write(ctxT(t), sdk.MessageBinary, make([]byte, 65))
	if !errors.Is(err, sdk.ErrMessageTooBig) || !strings.Contains(err.Error(), "65 bytes") {
		t.Errorf("oversized Write = %v", err)
	}
	for _, code := range []sdk.StatusCode{0, 999, 1004, 1005, 1006, 1015, 2000, 5000} {
		if err := c.Close(code, ""); err == nil || !strings.Contains(err.Error(), "cannot be sent") {
			t.Errorf("Close(%d) = %v, want refused", code, err)
		}
	}
	if err := c.Close(sdk.StatusNormalClosure, strings.Repeat("é", 62)); err == nil || !strings.Contains(err.Error(), "123") {
		t.Errorf("Close with a 124-byte reason = %v, want refused", err)
	}
	if c.State() != sdk.StateOpen {
		t.Fatalf("a refused Close changed state to %v", c.State())
	}
	echo(t, c, "still open")
	if err := c.Close(sdk.StatusNormalClosure, ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Read(ctxT(t)); !errors.Is(err, sdk.ErrClosed) {
		t.Errorf("Read after Close = %v", err)
	}
	if err := c.Write(ctxT(t), sdk.MessageText, []byte("x")); !errors.Is(err, sdk.ErrClosed) {
		t.Errorf("Write after Close = %v", err)
	}
}

func TestHeaderAndURLFuncReachServer(t *testing.T) {
	s := startServer(t)
	o := fast(nil)
	o.URLFunc = func(context.Context) (string, error) { return s.URL("/header?token=t1"), nil }
	o.HeaderFunc = func(context.Context) (map[string][]string, error) {
		return map[string][]string{"Authorization": {"Bearer abc"}}, nil
	}
	c := dial(t, "", o)
	_, p, err := c.Read(ctxT(t))
	if err != nil || string(p) != "auth=Bearer abc token=t1" {
		t.Fatalf("server saw %q, %v", p, err)
	}
}

// *slog.Logger is what most apps will pass as Options.Logger.
var _ sdk.Logger = slog.Default()

func TestURLForms(t *testing.T) {
	ok := []string{"ws://h", "wss://h:443/p?q=1", "http://127.0.0.1:8080/x", "HTTPS://example.com", "ws://[::1]:9/", "ws://u:p@h/"}
	for _, u := range ok {
		_, err := sdk.Dial(context.Background(), u, &sdk.Options{MaxRetries: 1, DialTimeout: sdk.MinDialTimeout, Backoff: sdk.Backoff{Initial: time.Millisecond, Max: time.Millisecond}})
		var ue *sdk.URLError
		if errors.As(err, &ue) {
			t.Errorf("%q refused as a URL: %v", u, err)
		}
	}
	bad := map[string]string{"ws://h:99999": "over 65535", "ws://h:x": "not a number", "ws://[::1": "missing ']'",
		"ws://h /x": "space", "mailto:x@y": `scheme "mailto"`, "ws://:80/": "no host", "ws://a:b:c/": "brackets"}
	for u, want := range bad {
		_, err := sdk.Dial(context.Background(), u, nil)
		var ue *sdk.URLError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), want) {
			t.Errorf("Dial(%q) = %v, want a *URLError saying %q", u, err, want)
		}
	}
}
