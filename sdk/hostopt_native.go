//go:build !js

package sdk

import (
	"fmt"
	"strings"
)

// validateHost checks NativeOptions.Host, the Host header's override. It
// must be host[:port] (RFC 9110 §7.2: uri-host, RFC 3986 §3.2.2) in ASCII:
// net/http sends no Host header at all for a value with any other byte
// (a space, CR, LF, '/', '@'…, go1.26 request.go, to stop header
// smuggling), or fails every request when the upgrade goes through a
// proxy; neither can succeed on a retry. The bytes allowed are net/http's
// (httpguts.ValidHostHeader). "" means no override.
func validateHost(h string) error {
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c < 0x80 && strings.IndexByte("!$%&'()*+,-.:;=[]_~", c) >= 0:
		case c >= 0x80:
			return &OptionError{"Native.Host", fmt.Sprintf("has a non-ASCII byte at byte %d: give an internationalized name in its IDNA form (xn--…)", i)}
		default:
			return &OptionError{"Native.Host", fmt.Sprintf("has byte %#02x at byte %d, which a Host header cannot hold "+
				"(host[:port], RFC 9110 §7.2; net/http would send no Host at all); the value is not echoed: it may hold a secret", c, i)}
		}
	}
	return nil
}
