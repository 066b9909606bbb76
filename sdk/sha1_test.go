package sdk

import (
	"crypto/sha1"
	"strings"
	"testing"
)

func TestSHA1MatchesCryptoSHA1(t *testing.T) {
	for n := range 200 { // every padding case around the 55/56/64-byte edges
		msg := []byte(strings.Repeat("a", n))
		if got, want := sha1Sum(msg), sha1.Sum(msg); got != want {
			t.Fatalf("len %d: %x, want %x", n, got, want)
		}
	}
}

func FuzzSHA1(f *testing.F) {
	f.Add([]byte("dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		if got, want := sha1Sum(msg), sha1.Sum(msg); got != want {
			t.Fatalf("%q: %x, want %x", msg, got, want)
		}
	})
}
