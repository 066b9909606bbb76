package sdk

import (
	"slices"
	"strconv"
	"strings"
)

// String shows the handshake on one line, safe to log: the URL redacted
// (RedactURL), then the status, subprotocol and every header, request
// ("> ") then response ("< "), with every value that may be a credential
// hidden (RedactHeader), the subprotocol too. The fields themselves hold what was sent and received.
func (h Handshake) String() string {
	var b strings.Builder
	b.WriteString("GET ")
	b.WriteString(RedactURL(h.URL))
	if h.StatusCode != 0 {
		b.WriteString(" → ")
		b.WriteString(strconv.Itoa(h.StatusCode))
	}
	if h.Subprotocol != "" {
		b.WriteString("; subprotocol ")
		b.WriteString(RedactHeader("Sec-WebSocket-Protocol", h.Subprotocol))
	}
	writeHeaders(&b, "> ", h.RequestHeader)
	writeHeaders(&b, "< ", h.ResponseHeader)
	return b.String()
}

func writeHeaders(b *strings.Builder, dir string, h map[string][]string) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			b.WriteString("; ")
			b.WriteString(dir)
			b.WriteString(k)
			b.WriteString(": ")
			b.WriteString(redactText(RedactHeader(k, v)))
		}
	}
}
