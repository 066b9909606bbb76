package sdk

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Errors are built with fmt.Errorf("…: %w"): the first use of fmt in sdk
// costs 90 bytes gzipped in the browser build, where safejs and wasm/main.go
// link fmt already (measured with Go 1.26.8, gzip -9 of redial.wasm).

// Sentinel errors. Every error a Conn returns is worded and matches one of
// these with errors.Is, or is a typed error below with errors.As.
var (
	// ErrClosed: the Conn reached its final close. Errors that end a Conn
	// (CloseError, HandshakeError, an exhausted retry budget) also match it.
	ErrClosed = errors.New("redial: connection closed")
	// ErrQueueFull: the send queue is at its bound (Options.MaxQueued or
	// Options.MaxQueuedBytes) and the connection is not open to drain it.
	ErrQueueFull = errors.New("redial: send queue full")
	// ErrMessageTooBig: a message larger than the send queue's byte bound;
	// it could never be queued, so it is refused up front.
	ErrMessageTooBig = errors.New("redial: message too big")
	// ErrNilContext: a nil context.Context was passed.
	ErrNilContext = errors.New("redial: nil context")
	// ErrRetriesExhausted: MaxRetries or MaxElapsed was reached.
	ErrRetriesExhausted = errors.New("redial: retry budget exhausted")
	// ErrHeartbeatTimeout: two pings went unanswered with no message
	// meanwhile, or after the machine slept past the heartbeat (the wall
	// clock jumped) no pong nor message came within the confirmation wait
	// (see Options.HeartbeatInterval); the connection is presumed dead.
	ErrHeartbeatTimeout = errors.New("redial: heartbeat timeout")
	// ErrInvalidMessageType: Write with a type other than MessageText/Binary.
	ErrInvalidMessageType = errors.New("redial: invalid message type")
	// ErrInvalidCloseCode: Close with a code a client may not send (RFC
	// 6455 §7.4: 1005, 1006 and 1015 never go on the wire; 1004 and other
	// unassigned 1xxx, codes under 1000 and over 4999 have no meaning).
	// Nothing is closed.
	ErrInvalidCloseCode = errors.New("redial: invalid close code")
	// ErrInvalidCloseReason: Close with a reason over 123 bytes (a control
	// frame's payload is at most 125 bytes, RFC 6455 §5.5) or not valid
	// UTF-8 (§5.5.1; a strict peer fails the connection with 1007 or
	// 1006). Nothing is closed.
	ErrInvalidCloseReason = errors.New("redial: invalid close reason")
	// ErrPermanent: an attempt failed in a way no retry can heal without a
	// change of code, configuration or certificate, so the Conn ends at
	// once (DefaultPolicy makes it final): the server's TLS certificate was
	// refused (errors.As reaches *tls.CertificateVerificationError and the
	// x509 error inside: unknown authority, host name mismatch, expired),
	// the server does not speak TLS on a wss:// port (tls.RecordHeaderError),
	// it refused the TLS handshake over versions, cipher suites, client
	// certificates or ALPN (a "remote error: tls: …"), the host is not a
	// valid DNS name (*net.DNSError), or the server does not speak HTTP on a
	// ws:// port (no HTTP status line: an SSH server, say). Native only: in a page the browser
	// hides TLS failures (an error event, then close 1006), so they retry.
	ErrPermanent = errors.New("redial: permanent failure")
)

// Besides these sentinels and the types below, redial returns ctx.Err()
// (context.Canceled or DeadlineExceeded) from a call whose ctx ended, and
// wraps the error of Options.URLFunc or HeaderFunc (errors.Is finds the
// app's own error). No error text redial produces holds a URL's password
// or query values: each is redacted as RedactURL does.

// CloseError is a close that ended a connection: a close frame from the
// server, or the close this side sent. Code 1006 means the connection ended
// with no close frame at all.
type CloseError struct {
	Code   StatusCode
	Reason string
	// Local is true when this side closed (Conn.Close, or a protocol rule
	// the transport enforced, such as the read limit).
	Local bool
	// Err is the network error behind a 1006 (no close frame), when known.
	Err error
}

func (e *CloseError) Error() string {
	var b strings.Builder
	b.WriteString("redial: ")
	switch {
	case e.Code == StatusAbnormalClosure && !e.Local:
		b.WriteString("connection lost with no close frame (1006)")
	case e.Local:
		b.WriteString("closed by client with ")
		b.WriteString(e.Code.String())
	default:
		b.WriteString("closed by server with ")
		b.WriteString(e.Code.String())
	}
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return redactText(b.String())
}

// Unwrap gives the network error behind a 1006, if any.
func (e *CloseError) Unwrap() error { return e.Err }

// Is lets errors.Is(err, ErrClosed) hold for every close.
func (e *CloseError) Is(target error) bool { return target == ErrClosed }

// HandshakeError is a failed opening handshake: the server answered the
// upgrade request with something other than a valid 101 (StatusCode holds
// what it answered; 101 means the 101 itself was wrong, see Err), or the
// subprotocol was not agreed. A 3xx is one too: redirects are not followed
// (as in browsers; Header holds the Location). For wss:// through an HTTP
// proxy that refused the CONNECT, StatusCode and Header are the proxy's,
// as for ws:// through it (Err says so). In the browser the status is
// never visible.
type HandshakeError struct {
	StatusCode int
	Header     map[string][]string
	Err        error // what exactly was wrong, when known
}

func (e *HandshakeError) Error() string {
	msg := "redial: handshake failed"
	if e.StatusCode != 0 {
		msg += " with HTTP " + strconv.Itoa(e.StatusCode)
	}
	if e.Err != nil {
		msg += ": " + redactText(e.Err.Error())
	}
	return msg
}

func (e *HandshakeError) Unwrap() error { return e.Err }

// RetryAfter parses the Retry-After header (delta-seconds or an HTTP-date,
// RFC 9110 §10.2.3) relative to now. It reports false when absent or invalid.
func (e *HandshakeError) RetryAfter(now time.Time) (time.Duration, bool) {
	return parseRetryAfter(headerValue(e.Header, "Retry-After"), now)
}

// URLError is a URL the SDK cannot dial. URL is as given; Error prints it
// redacted (RedactURL).
type URLError struct {
	URL    string
	Reason string
}

func (e *URLError) Error() string {
	return "redial: bad URL " + quote(RedactURL(e.URL)) + ": " + redactText(e.Reason)
}

// DialError is an attempt that failed with no HTTP answer to show: the
// host did not resolve, the connection was refused or reset, TLS failed,
// the attempt outlived Options.DialTimeout, or (in the browser, where a
// page cannot tell these apart, nor see a refused handshake's status) the
// socket closed before it opened. Err is the cause, so errors.Is and
// errors.As reach it (syscall.ECONNREFUSED, context.DeadlineExceeded,
// *net.OpError…). URL is the URL dialed; Error prints it, and any URL in
// Err's text, redacted (RedactURL): net/http and coder/websocket quote the
// full URL, query and all, in theirs.
type DialError struct {
	URL string
	Err error
}

func (e *DialError) Error() string {
	return "redial: dial " + RedactURL(e.URL) + ": " + redactText(fmt.Sprint(e.Err))
}

func (e *DialError) Unwrap() error { return e.Err }

// OptionError is an Options field with a value that has no meaning.
type OptionError struct {
	Field  string
	Reason string
}

func (e *OptionError) Error() string { return "redial: Options." + e.Field + " " + e.Reason }

// UnsentError is returned by Close when messages were still queued and
// could not be sent before the final close, so none is dropped silently.
type UnsentError struct{ Messages int }

func (e *UnsentError) Error() string {
	return fmt.Sprintf("redial: closed with %d queued message(s) unsent", e.Messages)
}

// finalError is what Read and Write return once the Conn is closed: it
// matches ErrClosed and unwraps to the cause (*CloseError, *HandshakeError…).
type finalError struct{ cause error }

func (e *finalError) Error() string {
	if e.cause == nil {
		return ErrClosed.Error()
	}
	return e.cause.Error()
}
func (e *finalError) Unwrap() []error { return []error{ErrClosed, e.cause} }

func headerValue(h map[string][]string, key string) string {
	for k, v := range h {
		if strings.EqualFold(k, key) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

func quote(s string) string {
	if len(s) > 200 {
		s = truncateUTF8(s, 200) + "…"
	}
	return `"` + s + `"`
}

// redactedError is an error whose text comes (in part) from outside redial
// (an app callback's error, a panic value) and may quote a URL: it prints
// with every URL redacted (redactText) and unwraps to what it carries, so
// errors.Is and errors.As see through it.
type redactedError struct {
	msg string
	err []error
}

func (e *redactedError) Error() string   { return redactText(e.msg) }
func (e *redactedError) Unwrap() []error { return e.err }

// redactWrap is fmt.Errorf(prefix+": %w", err) with err's text redacted.
func redactWrap(prefix string, err error) error {
	return &redactedError{msg: prefix + ": " + err.Error(), err: []error{err}}
}
