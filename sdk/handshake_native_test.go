//go:build !js

package sdk_test

import (
	"testing"

	"github.com/redial-ws/redial/sdk"
)

// The live handshake (key sent, accept checked against the server's
// record) is test/conformance's TestHandshakeVisible; this is the formula.
func TestComputeAcceptRFCExample(t *testing.T) {
	// RFC 6455 §1.3's worked example.
	if got := sdk.ComputeAccept("dGhlIHNhbXBsZSBub25jZQ=="); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("ComputeAccept(RFC example) = %q", got)
	}
}
