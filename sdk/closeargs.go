package sdk

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// closeHandshakeTimeout bounds the close handshake Close runs after the
// flush: sending the close frame and waiting for the peer's (RFC 6455
// §7.1.1 lets the client drop the TCP connection once it sent its close
// and waited "a reasonable time"). Past it the connection is dropped, so
// Close ends within closeFlushTimeout + closeHandshakeTimeout.
const closeHandshakeTimeout = 2 * time.Second

// closeTransport runs t's close handshake for at most
// closeHandshakeTimeout, then drops the connection. It returns once the
// transport's close has returned, so no goroutine outlives it.
func closeTransport(t transport, req closeRequest) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = t.close(req.code, req.reason)
	}()
	timer := time.NewTimer(closeHandshakeTimeout)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		t.abort() // ends the close frame's write and the wait for the peer's
		<-done
	}
}

// invalidUTF8At is the offset of the first byte of s that is not valid
// UTF-8, or -1.
func invalidUTF8At(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
	}
	return -1
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// browserCloseArgs maps a close to what a page may send: WebSocket.close
// accepts only 1000 and 3000–4999 (WHATWG WebSockets, close() step 1) and a
// reason of at most 123 bytes of UTF-8 (step 2; else SyntaxError). Other
// codes the Go API accepts (1001–1003, 1007–1014) are sent as 1000 with
// the original code at the head of the reason, so it is not lost; the
// result is cut to 123 bytes on a character boundary. It lives in shared
// code so native tests check it too.
func browserCloseArgs(code StatusCode, reason string) (StatusCode, string) {
	reason = strings.ToValidUTF8(reason, "\uFFFD")
	if code == StatusNormalClosure || (code >= 3000 && code <= 4999) {
		return code, truncateUTF8(reason, maxCloseReason)
	}
	r := strconv.Itoa(int(code))
	if reason != "" {
		r += " " + reason
	}
	return StatusNormalClosure, truncateUTF8(r, maxCloseReason)
}
