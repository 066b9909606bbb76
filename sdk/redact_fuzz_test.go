//go:build !js

package sdk_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redial-ws/redial/sdk"
)

// TestSecretsInMalformedURLs is issue 8 §3 as a tester re-tried it: a
// password holding '?', '#', '/' or '@', a bad escape, a bare query item,
// odd schemes and separators. No secret reaches Dial's error, a log
// record or an event. Before the fix "ws://user:hunter2?x@host/" printed
// `port "hunter2" is not a number` (checkHostPort echoed the port) and
// RedactURL cut the userinfo at the '?'.
func TestSecretsInMalformedURLs(t *testing.T) {
	a := refusingAddr(t)
	port := a[strings.LastIndexByte(a, ':'):]
	for _, tc := range []struct {
		u       string
		secrets []string
	}{
		{"ws://user:p%40ssW0RD@" + a + "/", []string{"ssW0RD", "p%40ss"}},
		{"ws://user:hunter2?x@" + a + "/", []string{"hunter2"}},
		{"ws://user:hunter2#x@" + a + "/", []string{"hunter2"}},
		{"ws://user:hunt/er2@" + a + "/", []string{"hunt", "er2"}},
		{"ws://user:12/34@" + a + "/", []string{"12/34", "/34"}},
		{"ws://user:huntER2@[::1]" + port + "/?token=S3CR3T", []string{"huntER2", "S3CR3T"}},
		{"ws://user:huntER2@[::1%25eth0]" + port + "/?token=S3CR3T", []string{"huntER2", "S3CR3T"}},
		{"ws://" + a + "/?a=1&token=S3CR3T&b", []string{"S3CR3T"}},
		{"ws://" + a + "/?token=S3%ZZCR3T", []string{"S3%", "CR3T"}},
		{"ws://" + a + "/?token=S3CR3T%", []string{"S3CR3T"}},
		{"ws://" + a + "/?APIKEYS3CR3T", []string{"APIKEYS3CR3T"}},
		{"ws://user:S3CR3T@" + a + ":99999/", []string{"S3CR3T"}},
		{"ws://user:S3CR3T@host_with_underscore" + port + "/", []string{"S3CR3T"}},
		{"ftp://user:S3CR3T@" + a + "/?token=S4CR4T", []string{"S3CR3T", "S4CR4T"}},
		{"ws://user:S3CR3T@" + a + "?token=S4CR4T", []string{"S3CR3T", "S4CR4T"}},
		{"ws:/user:S3CR3T@" + a + "/?token=S4CR4T", []string{"S3CR3T", "S4CR4T"}},
		{"ws:user:S3CR3T@" + a + "://x", []string{"S3CR3T"}},
		{"ws://user:S3CR3T@" + a + "/?token=S4CR4T\"x", []string{"S3CR3T", "S4CR4T"}},
		{"ws://user:S3CR3T@" + a + "/?token=S4CR4T x", []string{"S3CR3T", "S4CR4T"}},
		{"ws://user:S3CR3T@" + a + "/?token=S4CR4T\u00a0x", []string{"S3CR3T", "S4CR4T"}},
		{"WS://user:S3CR3T@" + a + "/?token=S4CR4T", []string{"S3CR3T", "S4CR4T"}},
		{"ws://user:S3CR3T@@" + a + "/?token=S4CR4T", []string{"S3CR3T", "S4CR4T"}},
		{"ws://:S3CR3T@" + a + "/?token=S4CR4T", []string{"S3CR3T", "S4CR4T"}},
	} {
		var out secrets
		o := out.options(fast(nil))
		o.MaxRetries = 1
		_, err := sdk.Dial(ctxT(t), tc.u, o)
		if err == nil {
			t.Fatalf("Dial(%q) = nil error", tc.u)
		}
		out.add("Dial", err)
		_, _ = fmt.Fprintf(&out, "%q %#v\n", err, err)
		for e := err; e != nil; e = errors.Unwrap(e) {
			out.add("chain", e)
		}
		t.Run(tc.u, func(t *testing.T) { out.check(t, tc.secrets...) })
	}
}

// secretAlphabet is what a fuzzed secret is made of: letters and digits
// and every character that ends a URL part early.
const secretAlphabet = "aZ09?#/@:%&=+;,[]"

// FuzzRedactURLSecret: a secret embedded as a password or a query value,
// whatever characters it holds, appears neither in RedactURL's output nor
// in the text of the error Dial returns for the URL (a *URLError, or a
// *DialError from a port that refuses). Every secret starts with "Qz",
// which no text of redial's holds, so a match can only be a leak.
func FuzzRedactURLSecret(f *testing.F) {
	for _, s := range []string{"hunter2?x", "hunter2#x", "hunt/er2", "12/34", "a@b", "p%40ss", "x?y@z#w", "1:2@3/4?5#6", "%zz", ""} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(1))
		f.Add(s, uint8(2))
	}
	a := refusingAddr(f)
	f.Fuzz(func(t *testing.T, tail string, where uint8) {
		var b strings.Builder
		b.WriteString("Qz")
		for i := 0; i < len(tail) && i < 24; i++ {
			b.WriteByte(secretAlphabet[int(tail[i])%len(secretAlphabet)])
		}
		secret := b.String()
		var u string
		switch where % 3 {
		case 0:
			u = "ws://user:" + secret + "@" + a + "/p"
		case 1:
			u = "ws://" + a + "/p?token=" + secret + "&x=1"
		default:
			u = "ws://u:" + secret + "@" + a + "/p?k=" + secret
		}
		if r := sdk.RedactURL(u); strings.Contains(r, secret) {
			t.Fatalf("RedactURL(%q) = %q: the secret is in it", u, r)
		}
		var out secrets
		// Whatever host a mangled URL names, every dial goes to the refusing
		// loopback port: no DNS query leaves the machine, none waits.
		loopbackOnly := &http.Client{Transport: &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, "tcp", a)
			},
		}}
		o := out.options(&sdk.Options{DialTimeout: time.Second, Native: &sdk.NativeOptions{HTTPClient: loopbackOnly}})
		o.Policy = func(sdk.RetryContext) (time.Duration, bool) { return 0, false }
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := sdk.Dial(ctx, u, o)
		if err == nil {
			t.Fatalf("Dial(%q) = nil error against a refusing port", u)
		}
		out.add("Dial", err)
		_, _ = fmt.Fprintf(&out, "%q %#v\n", err, err)
		out.check(t, secret)
	})
}
