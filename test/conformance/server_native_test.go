//go:build !js

package conformance_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/redial-ws/redial/internal/testserver"
)

// TestMain checks that neither the SDK nor the suite leaves a goroutine
// behind (native only: goleak has no meaning under js/wasm).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// startLocalServer starts a fresh in-process testserver for one test and
// returns its WebSocket base URL and control URL. The test drives it over
// HTTP like the browser does, so both platforms share one code path.
func startLocalServer(t *testing.T) (ws, control string) {
	t.Helper()
	s, err := testserver.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s.URL(""), s.ControlURL()
}
