//go:build !js

package sdk

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// proxyRefusal is an HTTP proxy's answer other than 200 to the CONNECT
// that opens a tunnel for wss:// (RFC 9110 §9.3.6). net/http reports it as
// an error holding only the reason phrase (errors.New(text) in
// Transport.dialConn, go1.26 transport.go), with no status to tell a 407
// (credentials: retrying cannot help) from a 502 (the proxy could not reach
// the server: it can heal). upgradeFailure turns it into a
// *HandshakeError with the proxy's status and header, which DefaultPolicy
// judges like the same answer to a ws:// request sent through the proxy.
type proxyRefusal struct {
	status int
	header http.Header
	target string // host:port the tunnel was for
	reason string // the status line after the code
}

func (e *proxyRefusal) Error() string {
	return "the HTTP proxy refused CONNECT to " + e.target + " with " + strconv.Itoa(e.status) + " " + e.reason
}

// hookProxyConnect makes t report a refused CONNECT as a *proxyRefusal.
// It returns t itself when it is redial's own transport (own), a clone
// with the hook when it is the app's *http.Transport with a Proxy (the
// app's transport is never modified), and next unchanged otherwise: an
// app's RoundTripper of another type keeps net/http's untyped error.
// done closes a clone's idle connections, like redial's own transport's.
func hookProxyConnect(next http.RoundTripper, own bool) (rt http.RoundTripper, done func()) {
	t, ok := next.(*http.Transport)
	if !ok || t.Proxy == nil {
		return next, func() {}
	}
	done = func() {}
	if !own {
		t = t.Clone()
		done = t.CloseIdleConnections
	}
	prev := t.OnProxyConnectResponse
	t.OnProxyConnectResponse = func(ctx context.Context, proxy *url.URL, req *http.Request, resp *http.Response) error {
		if prev != nil {
			if err := prev(ctx, proxy, req, resp); err != nil {
				return err
			}
		}
		if resp.StatusCode == http.StatusOK {
			return nil
		}
		reason := resp.Status
		if len(reason) > 4 && reason[3] == ' ' {
			reason = reason[4:]
		}
		return &proxyRefusal{status: resp.StatusCode, header: resp.Header.Clone(), target: req.Host, reason: reason}
	}
	return t, done
}
