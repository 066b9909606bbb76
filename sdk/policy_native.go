//go:build !js

package sdk

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
)

// This file sorts native dial failures into those a retry can heal and
// those it cannot. It is native only: the browser build must not link
// crypto/* or net/url, and in a page a TLS failure is invisible anyway
// (the WebSocket reports an error, then close 1006; see doc.go).

// finalDial wraps the native dial so that what no retry can heal ends
// the Conn at once (DefaultPolicy makes these final), worded and typed:
// HeaderFunc's headers no server could receive (*OptionError), a TLS
// failure or a host name that can never resolve (ErrPermanent, wrapping
// the cause). A URL net/url refuses never gets here: normalizeURL refused
// it (parseURL).
func finalDial(df dialFunc) dialFunc {
	return func(ctx context.Context, u string, cfg *config, header map[string][]string) (transport, error) {
		if cfg.HeaderFunc != nil {
			// Header was checked by Dial; what is new came from HeaderFunc.
			if err := validateHeader("HeaderFunc", header); err != nil {
				return nil, err
			}
		}
		t, err := df(ctx, u, cfg, header)
		if err != nil {
			if why := permanentReason(err); why != "" {
				// %.0w wraps ErrPermanent without printing it (fmt prints %w as %v,
				// precision and all): the text says "final" in its own words.
				// No redaction: DialError prints this through redactText.
				return nil, fmt.Errorf("redial: %s (final: a retry would fail the same way): %w%.0w", why, err, ErrPermanent)
			}
		}
		return t, err
	}
}

// errHTTPOnTLSPort is net/http's text when a TLS hello was answered by
// HTTP (net/http/transport.go); it has no type to match.
const errHTTPOnTLSPort = "server gave HTTP response to HTTPS client"

// permanentReason says why err cannot heal by retrying, or "".
func permanentReason(err error) string {
	var (
		cve *tls.CertificateVerificationError
		rhe tls.RecordHeaderError
		uae x509.UnknownAuthorityError
		hne x509.HostnameError
		cie x509.CertificateInvalidError
		dns *net.DNSError
		oe  *net.OpError
		nh  *errNotHTTP
	)
	switch {
	case errors.As(err, &cve), errors.As(err, &uae), errors.As(err, &hne), errors.As(err, &cie):
		// Unknown authority, wrong host name, expired or not yet valid,
		// not for server auth… It will fail again until someone changes
		// the certificate or Native.TLSConfig. (A close with 1015 is final
		// for the same reason; see closeRetryable.)
		return "the server's TLS certificate was refused"
	case errors.As(err, &rhe), strings.Contains(err.Error(), errHTTPOnTLSPort):
		// The server answered the TLS hello with something else: plain
		// HTTP on a wss:// port (net/http replaces the RecordHeaderError
		// by an untyped error for that case), or no TLS at all.
		return "the server does not speak TLS on this port (is it a plain ws server, dialed with wss?)"
	case errors.As(err, &nh):
		// The ws:// counterpart of a RecordHeaderError: say an SSH server.
		return "the server does not speak HTTP on this port (not a WebSocket server?)"
	case errors.As(err, &oe) && oe.Op == "remote error" && finalTLSAlert(oe.Err):
		return "the server refused the TLS handshake with " + quote(oe.Err.Error()) +
			" (TLS version, cipher suite, client certificate or ALPN do not match)"
	case errors.As(err, &dns) && dns.IsNotFound && !validDNSName(dns.Name):
		// The resolver refused the name without asking anyone, as no
		// server could have it; a name that is merely unknown today keeps
		// retrying (it may be registered, or the network may come back).
		return "host " + quote(dns.Name) + " is not a valid DNS name and can never resolve"
	}
	return ""
}

// finalTLSAlert reports whether a fatal alert from the server (RFC 8446
// §6.2, RFC 5246 §7.2.2) says the two configurations do not match, which
// stays so on every attempt. crypto/tls returns a received alert as an
// unexported type, so it is told apart by its text, which is the RFC's
// alert name.
func finalTLSAlert(err error) bool {
	if err == nil {
		return false
	}
	switch strings.TrimPrefix(err.Error(), "tls: ") {
	case "handshake failure", // 40: no common cipher suite or group
		"bad certificate", "unsupported certificate", "certificate revoked",
		"certificate expired", "unknown certificate", "unknown certificate authority", // 42–46, 48: our client certificate
		"access denied",                  // 49
		"protocol version not supported", // 70
		"insufficient security",          // 71
		"unsupported extension",          // 110
		"unrecognized name",              // 112: SNI
		"certificate required",           // 116
		"no application protocol":        // 120: ALPN
		return true
	}
	return false
}

// validDNSName is net's rule for a name its resolver will look up (RFC
// 1035 labels, as relaxed by RFC 3696 and for '_'); the resolver answers
// "no such host" for any other name without a query. host is what the
// resolver was given: ASCII (net/http applied IDNA before), or not, if
// IDNA refused it.
func validDNSName(s string) bool {
	if s == "." {
		return true
	}
	l := len(s)
	if l == 0 || l > 254 || l == 254 && s[l-1] != '.' {
		return false
	}
	last, nonNumeric, partlen := byte('.'), false, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		default:
			return false
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_':
			nonNumeric = true
			partlen++
		case '0' <= c && c <= '9':
			partlen++
		case c == '-':
			if last == '.' {
				return false
			}
			partlen++
			nonNumeric = true
		case c == '.':
			if last == '.' || last == '-' || partlen > 63 || partlen == 0 {
				return false
			}
			partlen = 0
		}
		last = c
	}
	return last != '-' && partlen <= 63 && nonNumeric
}
