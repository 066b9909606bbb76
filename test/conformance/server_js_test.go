//go:build js

package conformance_test

import "testing"

// startLocalServer has no meaning in a browser: a page cannot listen. The
// runner (scripts/test-browser-go.sh with REDIAL_TESTSERVER=1) starts the
// server and passes its URLs in the environment.
func startLocalServer(t *testing.T) (ws, control string) {
	t.Helper()
	t.Fatal("browser: REDIAL_TEST_WS and REDIAL_TEST_CONTROL are unset; run with REDIAL_TESTSERVER=1 scripts/test-browser-go.sh ./test/conformance")
	return "", ""
}
