package sdk

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestBrowserCloseArgs: what the browser build hands WebSocket.close is
// always a code a page may send and a reason of at most 123 bytes of valid
// UTF-8 (else the browser throws and the server sees 1005), with no
// character split by the cut.
func TestBrowserCloseArgs(t *testing.T) {
	for _, tc := range []struct {
		code       StatusCode
		reason     string
		wantCode   StatusCode
		wantReason string
	}{
		{1000, "bye", 1000, "bye"},
		{4000, "x", 4000, "x"},
		{1001, "", 1000, "1001"},
		{1008, "policy", 1000, "1008 policy"},
		// 1008 + space is 5 bytes: 118 left, which splits the 40th "€" (3 bytes).
		{1008, strings.Repeat("€", 41), 1000, "1008 " + strings.Repeat("€", 39)},
		{1011, strings.Repeat("a", 123), 1000, "1011 " + strings.Repeat("a", 118)},
		{1002, strings.Repeat("😀", 30), 1000, "1002 " + strings.Repeat("😀", 29)},
		{3000, strings.Repeat("é", 61) + "a", 3000, strings.Repeat("é", 61) + "a"},
	} {
		code, reason := browserCloseArgs(tc.code, tc.reason)
		if code != tc.wantCode || reason != tc.wantReason {
			t.Errorf("browserCloseArgs(%d, %q) = %d, %q; want %d, %q", tc.code, tc.reason, code, reason, tc.wantCode, tc.wantReason)
		}
	}
	// Every sendable code, every reason length and character width.
	for code := StatusCode(1000); code <= 4999; code++ {
		if !code.sendable() {
			continue
		}
		for _, ch := range []string{"a", "é", "€", "😀"} {
			for n := 0; n*len(ch) <= maxCloseReason; n++ {
				c, r := browserCloseArgs(code, strings.Repeat(ch, n))
				if c != StatusNormalClosure && (c < 3000 || c > 4999) {
					t.Fatalf("code %d mapped to %d, which a page may not send", code, c)
				}
				if len(r) > maxCloseReason || !utf8.ValidString(r) {
					t.Fatalf("code %d, %d×%q: reason %q (%d bytes) is not ≤123 bytes of UTF-8", code, n, ch, r, len(r))
				}
			}
		}
	}
}

func TestInvalidUTF8At(t *testing.T) {
	for s, want := range map[string]int{"": -1, "ok é": -1, "bye \xff\xfe": 4, "\xc0\xaf": 0, "ab\xe2\x82": 2, "\uFFFD": -1} {
		if got := invalidUTF8At(s); got != want {
			t.Errorf("invalidUTF8At(%q) = %d, want %d", s, got, want)
		}
	}
}
