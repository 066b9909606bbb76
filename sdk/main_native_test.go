//go:build !js

package sdk_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Native only: under js/wasm the runtime's own event goroutine
// (runtime.handleEvent) is always there, and goleak has no meaning.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
