package sdk

// A Conn keeps its last opening handshake for Conn.Handshake, for as long
// as it lives. Kept as two header maps it cost about 1 KB per connection
// (a map, its []string values and a string per value, for the request and
// the response: bench/cmd/idlemem's heap profile), most of what an idle
// connection's handshake needs; packed, each header is one string. The maps
// are rebuilt when asked for (Handshake, the StateOpen event), which
// copied them anyway.

// hsRecord is a Handshake kept compact: its headers packed (packHeader),
// and Key, Version and Accept not kept apart: they are the headers'
// Sec-WebSocket-Key, Sec-WebSocket-Version and Sec-WebSocket-Accept, as
// dialNative sets them (the browser has none of them).
type hsRecord struct {
	url, subprotocol string
	protocols        []string
	status           int32
	acceptValid      bool
	req, resp        string
}

func packHandshake(h Handshake) hsRecord {
	return hsRecord{
		url: h.URL, subprotocol: h.Subprotocol, protocols: h.Protocols,
		status: int32(h.StatusCode), acceptValid: h.AcceptValid,
		req: packHeader(h.RequestHeader), resp: packHeader(h.ResponseHeader),
	}
}

// handshake returns the Handshake, its maps and Protocols fresh copies.
func (r *hsRecord) handshake() Handshake {
	h := Handshake{
		URL: r.url, Subprotocol: r.subprotocol, Protocols: append([]string(nil), r.protocols...),
		StatusCode: int(r.status), AcceptValid: r.acceptValid,
		RequestHeader: unpackHeader(r.req), ResponseHeader: unpackHeader(r.resp),
	}
	h.Key = headerValue(h.RequestHeader, "Sec-WebSocket-Key")
	h.Version = headerValue(h.RequestHeader, "Sec-WebSocket-Version")
	h.Accept = headerValue(h.ResponseHeader, "Sec-WebSocket-Accept")
	return h
}

// packHeader packs h into one string: "" for nil; else a 1, then per name
// its length, the name, its number of values and each value's length and
// bytes (numbers as uvarints), so any bytes round-trip.
func packHeader(h map[string][]string) string {
	if h == nil {
		return ""
	}
	n := 1
	for k, vs := range h {
		n += len(k) + 2*len(vs) + 4
		for _, v := range vs {
			n += len(v)
		}
	}
	b := make([]byte, 1, n)
	b[0] = 1
	for k, vs := range h {
		b = appendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		b = appendUvarint(b, uint64(len(vs)))
		for _, v := range vs {
			b = appendUvarint(b, uint64(len(v)))
			b = append(b, v...)
		}
	}
	return string(b)
}

// unpackHeader is packHeader's inverse.
func unpackHeader(s string) map[string][]string {
	if s == "" {
		return nil
	}
	h := make(map[string][]string)
	s = s[1:]
	for len(s) > 0 {
		var k string
		k, s = takeString(s)
		var n uint64
		n, s = takeUvarint(s)
		vs := make([]string, 0, n)
		for range n {
			var v string
			v, s = takeString(s)
			vs = append(vs, v)
		}
		h[k] = vs
	}
	return h
}

func appendUvarint(b []byte, x uint64) []byte {
	for x >= 0x80 {
		b = append(b, byte(x)|0x80)
		x >>= 7
	}
	return append(b, byte(x))
}

// takeUvarint reads a uvarint off s (packHeader wrote it: well formed).
func takeUvarint(s string) (uint64, string) {
	var x uint64
	for i, shift := 0, uint(0); i < len(s); i, shift = i+1, shift+7 {
		c := s[i]
		x |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return x, s[i+1:]
		}
	}
	return x, ""
}

func takeString(s string) (string, string) {
	n, s := takeUvarint(s)
	n = min(n, uint64(len(s)))
	return s[:n], s[n:]
}
