package wsaccept

import "testing"

// The example of RFC 6455 §1.3.
func TestAcceptRFCExample(t *testing.T) {
	if got, want := Accept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="; got != want {
		t.Fatalf("Accept = %q, want %q", got, want)
	}
}
