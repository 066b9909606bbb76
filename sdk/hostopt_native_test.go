//go:build !js

package sdk_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/coder/websocket"

	"github.com/redial-ws/redial/sdk"
)

// NativeOptions.Host "a b\r\nX: y" was accepted: net/http then sends no
// Host header at all (it drops an invalid one rather than let it smuggle
// a header), and fails every attempt through a proxy. Dial refuses it,
// and any Host that is not host[:port] in ASCII, with an *OptionError.
func TestNativeHostIsValidated(t *testing.T) {
	for _, h := range []string{
		"a b\r\nX: y", // the example
		"evil.example\r\n",
		"a\x00b",
		"host name",
		"example.com/path",
		"user@example.com",
		"example.com?x",
		"exämple.com",
		"user:S3CR3T@host", // the value is never echoed: it may hold a secret
	} {
		c, err := sdk.Dial(ctxT(t), "ws://127.0.0.1:1/", &sdk.Options{Native: &sdk.NativeOptions{Host: h}})
		var oe *sdk.OptionError
		if c != nil || !errors.As(err, &oe) || oe.Field != "Native.Host" {
			t.Errorf("Host %q: Dial = %v, want an *OptionError for Native.Host", h, err)
		}
		if s := fmt.Sprintf("%v %#v", err, err); strings.Contains(s, "S3CR3T") {
			t.Errorf("Host %q: the value is echoed: %s", h, s)
		}
	}

	// Valid overrides reach the server as given.
	var mu sync.Mutex
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = r.Host
		mu.Unlock()
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		_, _, _ = c.Read(r.Context())
	}))
	t.Cleanup(srv.Close)
	for _, h := range []string{"example.com", "example.com:8443", "[::1]:80", "127.0.0.1", "xn--exmple-cua.com", "a_b.example"} {
		c := dial(t, "ws"+strings.TrimPrefix(srv.URL, "http")+"/", fast(&sdk.Options{Native: &sdk.NativeOptions{Host: h}}))
		mu.Lock()
		if got != h {
			t.Errorf("Host %q: the server saw %q", h, got)
		}
		mu.Unlock()
		_ = c.Close(sdk.StatusNormalClosure, "")
	}
}
