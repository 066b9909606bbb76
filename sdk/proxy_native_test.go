//go:build !js

package sdk_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redial-ws/redial/sdk"
)

// refusingProxy is an HTTP proxy on loopback that answers every request,
// a CONNECT or a proxied GET, with status; n counts the requests.
func refusingProxy(t *testing.T, n *atomic.Int32, status string) *url.URL {
	t.Helper()
	addr := httpServer(t, n, func(*http.Request, string) string {
		return "HTTP/1.1 " + status + "\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
	})
	return &url.URL{Scheme: "http", Host: addr}
}

// tunnelProxy is an HTTP proxy on loopback that opens CONNECT tunnels.
func tunnelProxy(t *testing.T) *url.URL {
	t.Helper()
	addr := rawServer(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		r, err := http.ReadRequest(br)
		if err != nil || r.Method != http.MethodConnect {
			return
		}
		up, err := net.Dial("tcp", r.Host)
		if err != nil {
			_, _ = io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\n\r\n")
			return
		}
		defer up.Close()
		_, _ = io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
		go func() {
			_, _ = io.Copy(up, br)
			_ = up.(*net.TCPConn).CloseWrite()
		}()
		_, _ = io.Copy(c, up)
	})
	return &url.URL{Scheme: "http", Host: addr}
}

func viaProxy(p *url.URL, tlsOf *sdk.Options) *sdk.Options {
	tr := &http.Transport{Proxy: http.ProxyURL(p)}
	if tlsOf != nil && tlsOf.Native != nil {
		tr.TLSClientConfig = tlsOf.Native.TLSConfig
	}
	return &sdk.Options{Native: &sdk.NativeOptions{HTTPClient: &http.Client{Transport: tr}}}
}

// A proxy that refuses CONNECT for wss:// was retried forever, with an
// error holding only the proxy's reason phrase (net/http's): no status, no
// type. It must end as the same answer to ws:// through that proxy does:
// a *HandshakeError with the proxy's status and header, judged by
// DefaultPolicy (407, 405: final; 403: final unless credentials can be
// refreshed; 502, 503: the proxy could not reach the server, retry).
func TestProxyRefusingConnectIsTyped(t *testing.T) {
	target := startTLSServer(t, nil) // never reached
	for _, tc := range []struct {
		status string
		retry  bool
	}{
		{"407 Proxy Authentication Required", false},
		{"403 Forbidden", false},
		{"405 Method Not Allowed", false},
		{"400 X", false}, // a bare reason phrase, as the tester's proxy sent
		{"502 Bad Gateway", true},
		{"503 Service Unavailable", true},
	} {
		code := atoi(tc.status[:3])
		for _, scheme := range []string{"wss", "ws"} {
			t.Run(scheme+" "+tc.status, func(t *testing.T) {
				var n atomic.Int32
				p := refusingProxy(t, &n, tc.status)
				u := scheme + strings.TrimPrefix(target.url, "wss") + "/"
				err, retry := firstAttempt(t, u, viaProxy(p, nil))
				var he *sdk.HandshakeError
				if !errors.As(err, &he) || he.StatusCode != code {
					t.Fatalf("Dial = %v, want a *HandshakeError with the proxy's status %d", err, code)
				}
				if retry != tc.retry {
					t.Errorf("DefaultPolicy retries = %v, want %v (err %v)", retry, tc.retry, err)
				}
				if http.Header(he.Header).Get("Proxy-Authenticate") == "" {
					t.Errorf("HandshakeError.Header lacks the proxy's Proxy-Authenticate: %v", he.Header)
				}
				if scheme == "wss" && !strings.Contains(err.Error(), "proxy refused CONNECT to 127.0.0.1:") {
					t.Errorf("error %q does not say the proxy refused CONNECT", err)
				}
				if n.Load() != 1 {
					t.Errorf("proxy saw %d requests, want 1", n.Load())
				}
			})
		}
	}
}

// The controls: a proxy that is down keeps retrying (it may come back); a
// proxy that opens the tunnel works, and the app's OnProxyConnectResponse
// still runs while its Transport is left as it was.
func TestProxyDownRetriesAndTunnelOpens(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := &url.URL{Scheme: "http", Host: ln.Addr().String()}
	_ = ln.Close()
	s := startServer(t)
	err, retry := firstAttempt(t, s.URL("/echo"), viaProxy(down, nil))
	var oe *net.OpError
	if !retry || !errors.As(err, &oe) || oe.Op != "proxyconnect" {
		t.Errorf("proxy down: Dial = %v, retry %v; want a proxyconnect *net.OpError, retried", err, retry)
	}

	now := time.Now()
	tc := newTestCert(t, nil, loopback, now.Add(-time.Hour), now.Add(time.Hour))
	target := startTLSServer(t, &tls.Config{Certificates: []tls.Certificate{tc.cert}})
	tlsOpts := &sdk.Options{Native: &sdk.NativeOptions{TLSConfig: &tls.Config{RootCAs: tc.pool}}}
	o := viaProxy(tunnelProxy(t), tlsOpts)
	tr := o.Native.HTTPClient.Transport.(*http.Transport)
	var seen atomic.Int32
	tr.OnProxyConnectResponse = func(context.Context, *url.URL, *http.Request, *http.Response) error {
		seen.Add(1)
		return nil
	}
	hook := tr.OnProxyConnectResponse
	c := dial(t, target.url+"/", fast(o))
	echo(t, c, "through the tunnel")
	if seen.Load() != 1 {
		t.Errorf("the app's OnProxyConnectResponse ran %d times, want 1", seen.Load())
	}
	if reflect.ValueOf(tr.OnProxyConnectResponse).Pointer() != reflect.ValueOf(hook).Pointer() {
		t.Errorf("the app's Transport was modified")
	}
}
