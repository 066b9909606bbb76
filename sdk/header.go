package sdk

import (
	"fmt"
	"strconv"
	"strings"
)

// managedHeaders are request headers the opening handshake sets itself
// (RFC 6455 §4.1) or that net/http writes from elsewhere: an app's value
// would be overwritten or dropped without a word, so it is refused. Keys
// are in lower case.
var managedHeaders = map[string]string{
	"connection":               "set by the handshake",
	"upgrade":                  "set by the handshake",
	"sec-websocket-key":        "set by the handshake",
	"sec-websocket-version":    "set by the handshake",
	"sec-websocket-accept":     "a response header",
	"sec-websocket-extensions": "set by the handshake",
	"sec-websocket-protocol":   "set from Options.Subprotocols; use that",
	"host":                     "set from the URL; use NativeOptions.Host",
	"content-length":           "meaningless on a handshake GET (net/http drops it)",
	"transfer-encoding":        "meaningless on a handshake GET (net/http drops it)",
	"trailer":                  "meaningless on a handshake GET (net/http drops it)",
	"te":                       "meaningless on a handshake GET",
}

// validateHeader checks handshake headers before they are sent, so a
// header no server could ever receive fails at once with a worded
// *OptionError instead of failing every attempt of a retry loop: net/http
// refuses invalid names and values on each request, and a managed header
// would be lost. field names the option for the error.
func validateHeader(field string, h map[string][]string) error {
	for k, vs := range h {
		if !validToken(k) {
			return &OptionError{field, "has a header name (" + strconv.Itoa(len(k)) + " bytes) that is not an HTTP token: " + badTokenAt(k) + " (RFC 9110 §5.1)"}
		}
		if why, ok := managedHeaders[strings.ToLower(k)]; ok {
			return &OptionError{field, "sets " + quote(k) + ", which is " + why}
		}
		for _, v := range vs {
			if i := badHeaderByte(v); i >= 0 {
				return &OptionError{field, fmt.Sprintf("has a value of %s with control byte 0x%02x at byte %d"+
					" (CR, LF, NUL and other controls cannot be sent; RFC 9110 §5.5)", quote(k), v[i], i)}
			}
		}
	}
	return nil
}

// badHeaderByte is the index of the first byte RFC 9110 §5.5 does not
// allow in a field value (controls other than HTAB, and DEL), or -1.
// Bytes from 0x80 (obs-text) pass, as they do in net/http.
func badHeaderByte(v string) int {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return i
		}
	}
	return -1
}

// validateSubprotocols: each an RFC 9110 token, none twice (RFC 6455
// §4.1: "unique strings"; a browser's WebSocket constructor throws
// SyntaxError on a duplicate, so the native build refuses it too).
func validateSubprotocols(ps []string) error {
	for i, p := range ps {
		if !validToken(p) {
			return &OptionError{"Subprotocols", "[" + strconv.Itoa(i) + "] is not an HTTP token: " + badTokenAt(p) + " (RFC 6455 §4.1)"}
		}
		for _, q := range ps[:i] {
			if q == p {
				return &OptionError{"Subprotocols", "[" + strconv.Itoa(i) + "] repeats an earlier one (RFC 6455 §4.1)"}
			}
		}
	}
	return nil
}

// badTokenAt says what makes s no token, without echoing s: a subprotocol
// or a header name may hold a credential ("bearer.<token>", or
// "Authorization <token>" with its colon forgotten).
func badTokenAt(s string) string {
	if s == "" {
		return "it is empty"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		var what string
		switch {
		case c == ' ' || c == '\t':
			what = "a space"
		case c < ' ' || c == 0x7f:
			what = "a control character"
		case c >= 0x80:
			what = "a non-ASCII byte"
		case !validToken(string(c)):
			what = "a separator ('" + string(c) + "')"
		default:
			continue
		}
		return what + " at byte " + strconv.Itoa(i)
	}
	return "it is not one"
}
