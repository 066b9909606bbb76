//go:build !js

package sdk

import (
	"errors"
	"net/http"
	"strings"
)

// refuseRedirect is the CheckRedirect of the client redial makes the
// upgrade request with: a 3xx answer is returned as it is, and the
// handshake fails with a *HandshakeError holding its status and Location.
//
// Why: a browser's WebSocket never follows a redirect (WHATWG WebSockets,
// "establish a WebSocket connection": the request's redirect mode is
// "error"), and RFC 6455 §4.1 lets a client choose ("the client MAY
// redirect"). The native build does as the browser does, so the two builds
// behave alike and a redirect loop cannot hammer a server. It also has
// to: coder/websocket v1.8.15 wraps the client's CheckRedirect with its own
// (dial.go:89-100), which returns nil when the client had none, and that
// switches off net/http's limit of 10 redirects: a server answering every
// upgrade with "302 Location: <the same path>" got thousands of requests a
// second within one attempt.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// upgradeFailure types a failed websocket.Dial. resp is its response, if
// any; answer is the last response the server sent (recordingTransport
// keeps it), which net/http may have dropped on the way: it returns an
// error, and no response, for a 3xx whose Location does not parse (it
// parses Location before asking CheckRedirect). A response (or a proxy
// that refused CONNECT) becomes a *HandshakeError, which prints safely;
// anything else is returned as it is.
func upgradeFailure(err error, resp, answer *http.Response) error {
	if resp != nil {
		return &HandshakeError{StatusCode: resp.StatusCode, Header: resp.Header, Err: err}
	}
	var pr *proxyRefusal
	if errors.As(err, &pr) {
		return &HandshakeError{StatusCode: pr.status, Header: pr.header, Err: pr}
	}
	if answer != nil && answer.StatusCode != http.StatusSwitchingProtocols {
		return &HandshakeError{StatusCode: answer.StatusCode, Header: answer.Header, Err: err}
	}
	return err
}

// errNotHTTP marks an answer to the upgrade request that is not HTTP at
// all: a port where an SSH, SMTP… server listens, dialed as ws://. No
// retry changes that; permanentReason makes it ErrPermanent, as it does
// for its TLS counterpart, a record that is not TLS on a wss:// port.
type errNotHTTP struct{ err error }

func (e *errNotHTTP) Error() string { return e.err.Error() }
func (e *errNotHTTP) Unwrap() error { return e.err }

// notHTTPMarks are the texts of net/http's ReadResponse (response.go) for
// a status line that is not HTTP; the error (badStringError, request.go)
// has no type to match.
var notHTTPMarks = []string{"malformed HTTP response ", "malformed HTTP status code ", "malformed HTTP version "}

// markNotHTTP wraps err in errNotHTTP when it is net/http's report of an
// answer that is not HTTP. err is a RoundTripper's error, before net/http's
// Client puts the URL in front of it (so a URL cannot fake the mark).
func markNotHTTP(err error) error {
	if err == nil {
		return nil
	}
	for _, m := range notHTTPMarks {
		if strings.Contains(err.Error(), m) {
			return &errNotHTTP{err}
		}
	}
	return err
}
