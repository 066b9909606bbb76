package sdk

import (
	"strconv"
	"strings"
)

// normalizeURL checks a URL before any attempt, so a typo fails at once
// with a worded error instead of after a retry schedule. http and https
// are accepted as aliases of ws and wss, as coder/websocket and current
// browsers do, and rewritten so every platform sees ws/wss.
//
// The checks here are shared by both builds and worded for a person
// (scheme, fragment, host and port, the last also what RedactURL needs to
// find a URL's authority); then the platform's own parser has the last
// word (parseURL: net/url natively, which net/http dials with; the
// browser's URL class in a page, the parser its WebSocket uses), so a URL
// accepted here is one the transport can parse.
func normalizeURL(raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", &URLError{raw, "empty"}
	}
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c <= ' ' || c == 0x7f {
			return "", &URLError{raw, "contains a space or control character at byte " + strconv.Itoa(i)}
		}
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok || scheme == "" || strings.ContainsAny(scheme, "/?#") {
		if i := strings.IndexByte(raw, ':'); i > 0 && !strings.ContainsAny(raw[:i], "/?#") {
			return "", &URLError{raw, "has scheme " + quoteScheme(raw[:i]) + " with no //host; use ws://host/path"}
		}
		return "", &URLError{raw, "has no scheme; use ws:// or wss://"}
	}
	switch strings.ToLower(scheme) {
	case "ws", "http":
		scheme = "ws"
	case "wss", "https":
		scheme = "wss"
	default:
		return "", &URLError{raw, "has scheme " + quoteScheme(scheme) + "; use ws, wss, http or https"}
	}
	if strings.Contains(rest, "#") {
		// RFC 6455 §3: fragment identifiers are meaningless in WebSocket
		// URIs; browsers throw SyntaxError on them.
		return "", &URLError{raw, "has a fragment (#…), which WebSocket URLs must not have"}
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		authority = rest[:i]
	}
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		authority = authority[i+1:] // userinfo is the transport's business
	}
	if err := checkHostPort(authority); err != "" {
		return "", &URLError{raw, err}
	}
	u := scheme + "://" + rest
	if why := parseURL(u); why != "" {
		return "", &URLError{raw, "does not parse: " + why}
	}
	return u, nil
}

// quoteScheme quotes what stands for a scheme, unless it holds more than
// scheme characters: then it may be a userinfo ("user:pa@ss://…"), and
// the reason must not echo it (the redacted URL is in the message).
func quoteScheme(s string) string {
	if !isScheme(s) {
		return "(with characters a scheme cannot have)"
	}
	return quote(s)
}

// checkHostPort validates host[:port], with [IPv6] in brackets. It
// returns what is wrong, or "", never echoing a piece of hp: a password
// with an unescaped '?', '#' or '/' makes its head look like host:port
// ("user:hunter2?x@host"), so hp may hold a secret.
func checkHostPort(hp string) string {
	host, port := hp, ""
	if strings.HasPrefix(hp, "[") {
		end := strings.IndexByte(hp, ']')
		if end < 0 {
			return "does not parse: missing ']' in an IPv6 host"
		}
		host, port = hp[1:end], hp[end+1:]
		if host == "" || strings.Trim(host, "0123456789abcdefABCDEF:.%") != "" && !strings.Contains(host, "%") {
			return "does not parse: the bracketed host is not an IPv6 address"
		}
		if port != "" && port[0] != ':' {
			return "does not parse: unexpected characters after the IPv6 host"
		}
		port = strings.TrimPrefix(port, ":")
	} else if i := strings.LastIndexByte(hp, ':'); i >= 0 {
		host, port = hp[:i], hp[i+1:]
		if strings.Contains(host, ":") {
			return "does not parse: an IPv6 host must be in brackets"
		}
	}
	if host == "" {
		return "has no host"
	}
	if strings.ContainsAny(host, "[]<>\"\\^`{|}") {
		return "does not parse: the host has characters a host cannot have ([]<>\"\\^`{|})"
	}
	if hp != host && port == "" && strings.HasSuffix(hp, ":") {
		return "does not parse: empty port after ':'"
	}
	if port != "" {
		n := 0
		for _, c := range port {
			if c < '0' || c > '9' {
				return "does not parse: the port is not a number"
			}
			n = n*10 + int(c-'0')
			if n > 65535 {
				return "does not parse: the port is over 65535"
			}
		}
		if n == 0 {
			return "does not parse: port 0"
		}
	}
	return ""
}
