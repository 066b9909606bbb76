package sdk

import (
	"reflect"
	"strings"
	"testing"
)

// packHeader and unpackHeader round-trip any header: nil stays nil, empty
// stays empty, values keep their order, and any bytes (a name or value
// over 127 bytes, NULs, non-UTF-8) survive.
func TestPackHeaderRoundTrip(t *testing.T) {
	long := strings.Repeat("x", 300)
	for _, h := range []map[string][]string{
		nil,
		{},
		{"A": nil},
		{"A": {}},
		{"Sec-Websocket-Accept": {"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="}, "Upgrade": {"websocket"}, "Connection": {"Upgrade"}},
		{"X-Many": {"1", "", "3", long}, long: {"\x00\xff\n"}},
	} {
		got := unpackHeader(packHeader(h))
		if (got == nil) != (h == nil) || len(got) != len(h) {
			t.Fatalf("%q: got %q", h, got)
		}
		for k, vs := range h {
			if len(vs) == 0 && len(got[k]) == 0 {
				continue
			}
			if !reflect.DeepEqual(got[k], vs) {
				t.Fatalf("%q: %q = %q, want %q", h, k, got[k], vs)
			}
		}
	}
}

// A packed handshake gives back the Handshake it was made of, in fresh
// copies a caller may modify.
func TestPackHandshake(t *testing.T) {
	in := Handshake{
		URL: "ws://h/p", Key: "k", Version: "13", Protocols: []string{"a", "b"},
		RequestHeader:  map[string][]string{"Sec-Websocket-Key": {"k"}, "Sec-Websocket-Version": {"13"}},
		StatusCode:     101,
		ResponseHeader: map[string][]string{"Sec-Websocket-Accept": {"x"}, "Upgrade": {"websocket"}},
		Accept:         "x", AcceptValid: true, Subprotocol: "a",
	}
	r := packHandshake(in)
	out := r.handshake()
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("got %+v, want %+v", out, in)
	}
	out.Protocols[0] = "z"
	out.RequestHeader["Sec-Websocket-Key"][0] = "z"
	if again := r.handshake(); !reflect.DeepEqual(in, again) {
		t.Fatalf("a caller's change leaked into the record: %+v", again)
	}
}
