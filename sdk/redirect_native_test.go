//go:build !js

package sdk_test

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redial-ws/redial/sdk"
)

// firstFailure dials url once and returns Dial's error, failing the test
// if DefaultPolicy would have retried it (see firstAttempt).
func firstFailure(t *testing.T, url string, o *sdk.Options) error {
	t.Helper()
	err, retry := firstAttempt(t, url, o)
	if retry {
		t.Errorf("DefaultPolicy retries a failure that cannot heal: %v", err)
	}
	return err
}

// firstAttempt dials url once with o's other settings and returns Dial's
// error and whether DefaultPolicy would have retried it. The Conn itself
// never retries, so a final failure is proven in one attempt, and one
// that would be retried forever shows at once too.
func firstAttempt(t *testing.T, url string, o *sdk.Options) (err error, retry bool) {
	t.Helper()
	o = fast(o)
	if o.DialTimeout == 0 {
		o.DialTimeout = 2 * time.Second // bounds a redirect loop inside one attempt
	}
	var retried atomic.Bool
	o.Policy = func(rc sdk.RetryContext) (time.Duration, bool) {
		_, r := sdk.DefaultPolicy(rc)
		retried.Store(r)
		return 0, false
	}
	c, err := sdk.Dial(ctxT(t), url, o)
	if c != nil {
		_ = c.Close(sdk.StatusNormalClosure, "")
		t.Fatalf("Dial(%s) opened", url)
	}
	return err, retried.Load()
}

// httpServer answers each request on a raw loopback listener with the
// bytes resp returns, then closes the connection; n counts the requests.
func httpServer(t *testing.T, n *atomic.Int32, resp func(r *http.Request, host string) string) string {
	t.Helper()
	var addr string
	addr = rawServer(t, func(c net.Conn) {
		r, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return
		}
		n.Add(1)
		_, _ = c.Write([]byte(resp(r, addr)))
	})
	return addr
}

// A WebSocket's opening handshake does not follow redirects, in the
// browser (WHATWG Fetch: the WebSocket's request has redirect mode
// "error") nor natively (RFC 6455 §4.1 leaves it to the client). Before,
// coder/websocket's own CheckRedirect switched off net/http's limit of 10:
// a server answering "302 Location: /p" to /p got thousands of requests a
// second, then the policy retried forever. Each 3xx must end Dial at once
// with a *HandshakeError carrying the status and the Location, after one
// request.
func TestRedirectsAreNotFollowed(t *testing.T) {
	redirect := func(status, loc string) func(*http.Request, string) string {
		return func(r *http.Request, host string) string {
			loc := strings.NewReplacer("$path", r.URL.Path, "$host", host).Replace(loc)
			return "HTTP/1.1 " + status + "\r\nLocation: " + loc + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
		}
	}
	var loopN atomic.Int32
	loop := httpServer(t, &loopN, redirect("302 Found", "$path"))
	for _, tc := range []struct {
		name, status, loc string
		client            *http.Client
	}{
		{"302 to itself (issue example)", "302 Found", "$path", nil},
		{"301 to https on a plain port", "301 Moved Permanently", "https://$host$path", nil},
		{"302 to ftp", "302 Found", "ftp://127.0.0.1/x", nil},
		{"302 with a Location that does not parse", "302 Found", "http://[::1", nil},
		{"303 See Other", "303 See Other", "/elsewhere", nil},
		{"307 to ws://", "307 Temporary Redirect", "ws://$host/other", nil},
		{"308 to a server that loops", "308 Permanent Redirect", "http://" + loop + "/p", nil},
		{"302 with the app's own client", "302 Found", "$path", &http.Client{}},
		{"302 with the app's client that follows everything", "302 Found", "$path",
			&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			loopN.Store(0)
			addr := httpServer(t, &n, redirect(tc.status, tc.loc))
			err := firstFailure(t, "ws://"+addr+"/p", &sdk.Options{Native: &sdk.NativeOptions{HTTPClient: tc.client}})
			var he *sdk.HandshakeError
			if !errors.As(err, &he) || he.StatusCode != atoi(tc.status[:3]) {
				t.Fatalf("Dial = %v, want a *HandshakeError with status %s", err, tc.status[:3])
			}
			if got := http.Header(he.Header).Get("Location"); got == "" {
				t.Errorf("HandshakeError.Header has no Location: %v", he.Header)
			}
			if !strings.Contains(err.Error(), "HTTP "+tc.status[:3]) {
				t.Errorf("error %q does not name the status", err)
			}
			if got := n.Load() + loopN.Load(); got != 1 {
				t.Errorf("%d upgrade requests, want 1 (redirects not followed)", got)
			}
		})
	}
	// A 3xx with no Location, and 300 and 304 (which net/http never
	// follows), end the same way.
	for _, status := range []string{"307 Temporary Redirect", "300 Multiple Choices", "304 Not Modified"} {
		t.Run(status+" without Location", func(t *testing.T) {
			var n atomic.Int32
			addr := httpServer(t, &n, func(*http.Request, string) string {
				return "HTTP/1.1 " + status + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
			})
			var he *sdk.HandshakeError
			if err := firstFailure(t, "ws://"+addr+"/", nil); !errors.As(err, &he) || he.StatusCode != atoi(status[:3]) {
				t.Fatalf("Dial = %v, want a *HandshakeError with status %s", err, status[:3])
			}
		})
	}
}

// A server that does not speak HTTP at all on a ws:// port (an SSH
// server, say) will not start to: ErrPermanent, as its TLS counterpart (a
// record that is not TLS on a wss:// port) already was.
func TestNotHTTPIsFinal(t *testing.T) {
	for name, answer := range map[string]string{
		"SSH banner":                 "SSH-2.0-OpenSSH_9.6\r\n",
		"SMTP greeting":              "220 mail.example ESMTP\r\n",
		"malformed HTTP status code": "HTTP/1.1 abc Switching Protocols\r\n\r\n",
		"malformed HTTP version":     "HTTP/x.y 101 Switching Protocols\r\n\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			var n atomic.Int32
			addr := httpServer(t, &n, func(*http.Request, string) string { return answer })
			err := firstFailure(t, "ws://"+addr+"/", nil)
			if !errors.Is(err, sdk.ErrPermanent) || !strings.Contains(err.Error(), "does not speak HTTP") {
				t.Fatalf("Dial = %v, want ErrPermanent saying the server does not speak HTTP", err)
			}
		})
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
