package sdk_test

import (
	"testing"

	"github.com/redial-ws/redial/internal/sdktest"
	"github.com/redial-ws/redial/internal/testserver"
)

// The shared client-side helpers (internal/sdktest), by their local names.
var (
	ctxT        = sdktest.Ctx
	fast        = sdktest.Fast
	newRecorder = sdktest.NewRecorder
	to          = sdktest.To
	dial        = sdktest.Dial
	echo        = sdktest.Echo
	wantClose   = sdktest.WantClose
)

const testTimeout = sdktest.Timeout

func startServer(t *testing.T) *testserver.Server {
	t.Helper()
	s, err := testserver.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

var newClock = sdktest.NewClock
