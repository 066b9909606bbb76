package sdk

import (
	"net/url"
	"strings"
)

// normalizeURL checks a URL before any attempt, so a typo fails at once
// with a worded error instead of after a retry schedule. http and https
// are accepted as aliases of ws and wss, as coder/websocket and current
// browsers do, and rewritten so every platform sees ws/wss.
func normalizeURL(raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", &URLError{raw, "empty"}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", &URLError{raw, "does not parse: " + err.Error()}
	}
	switch strings.ToLower(u.Scheme) {
	case "ws", "http":
		u.Scheme = "ws"
	case "wss", "https":
		u.Scheme = "wss"
	case "":
		return "", &URLError{raw, "has no scheme; use ws:// or wss://"}
	default:
		return "", &URLError{raw, "has scheme " + quote(u.Scheme) + "; use ws, wss, http or https"}
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", &URLError{raw, "has no host"}
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		// RFC 6455 §3: fragment identifiers are meaningless in WebSocket
		// URIs; browsers throw SyntaxError on them.
		return "", &URLError{raw, "has a fragment (#…), which WebSocket URLs must not have"}
	}
	return u.String(), nil
}
