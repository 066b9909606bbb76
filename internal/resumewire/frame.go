// Package resumewire is the wire format of redial's resume protocol
// (docs/resume.md, version 1): encoding and decoding of every frame, and
// the two pieces of sequence bookkeeping both ends share, the sender's
// Window of unacknowledged frames and the receiver's Receiver counter.
//
// It is compiled into the browser (wasm) build too, so it uses only
// encoding/binary's uvarints, unicode/utf8, strconv and sync: no fmt, no
// reflection, no net, no crypto (session ids come from the caller).
// Decoding allocates nothing: a decoded payload aliases the input.
package resumewire

import (
	"encoding/binary"
	"unicode/utf8"
)

// Frame kinds: the first byte of every resume frame (docs/resume.md,
// "Frames").
const (
	KindDataText   byte = 0x01 // seq uvarint, UTF-8 payload
	KindDataBinary byte = 0x02 // seq uvarint, payload
	KindAck        byte = 0x03 // delivered uvarint
	KindPing       byte = 0x04 // nonce uvarint
	KindPong       byte = 0x05 // nonce uvarint
	KindHello      byte = 0x10 // client → server, first frame
	KindWelcome    byte = 0x11 // server → client, answer to HELLO
)

// Version is the protocol version this package speaks, carried in HELLO
// and WELCOME.
const Version byte = 1

// Flag bits of HELLO and WELCOME. Other bits are reserved and must be 0.
const (
	// FlagResume in HELLO: a session id follows; resume that session.
	// In WELCOME: the session was found and is resumed.
	FlagResume byte = 0x01
)

// IDLen is the length of a session id in bytes (128 bits).
const IDLen = 16

// SessionID is a session's resumption token: 16 bytes from a CSPRNG.
type SessionID [IDLen]byte

// MaxHeader is the largest header a data frame adds to its payload: the
// kind byte and a 10-byte uvarint.
const MaxHeader = 1 + binary.MaxVarintLen64

// Frame is one decoded frame. Which fields are meaningful depends on Kind:
//
//	DATA_TEXT, DATA_BINARY: N (seq), Payload
//	ACK:                    N (delivered)
//	PING, PONG:             N (nonce)
//	HELLO:                  Version, Flags, ID (if FlagResume), N (delivered)
//	WELCOME:                Version, Flags, ID, N (delivered), AckEvery, AckDelayMS
//
// Fields not used by the kind are zero after Decode and ignored by Append.
type Frame struct {
	Kind       byte
	N          uint64
	Payload    []byte
	Version    byte
	Flags      byte
	ID         SessionID
	AckEvery   uint64 // WELCOME: the server acks at least every AckEvery data frames
	AckDelayMS uint64 // WELCOME: … or this many ms after the first unacked one
}

// IsData reports whether k is DATA_TEXT or DATA_BINARY.
func IsData(k byte) bool { return k == KindDataText || k == KindDataBinary }

// KindName is the spec's name of a kind byte, for errors and logs.
func KindName(k byte) string {
	switch k {
	case KindDataText:
		return "DATA_TEXT"
	case KindDataBinary:
		return "DATA_BINARY"
	case KindAck:
		return "ACK"
	case KindPing:
		return "PING"
	case KindPong:
		return "PONG"
	case KindHello:
		return "HELLO"
	case KindWelcome:
		return "WELCOME"
	}
	const hex = "0123456789abcdef"
	return "kind 0x" + string([]byte{hex[k>>4], hex[k&15]})
}

// AppendData appends a data frame (kind KindDataText or KindDataBinary)
// to dst: kind, seq, payload. It does not validate UTF-8; Decode does.
func AppendData(dst []byte, kind byte, seq uint64, payload []byte) []byte {
	dst = append(dst, kind)
	dst = binary.AppendUvarint(dst, seq)
	return append(dst, payload...)
}

// AppendControl appends an ACK, PING or PONG frame carrying n.
func AppendControl(dst []byte, kind byte, n uint64) []byte {
	dst = append(dst, kind)
	return binary.AppendUvarint(dst, n)
}

// Append appends f's encoding to dst. For kinds other than the seven
// above it appends only the kind byte (which Decode refuses).
func Append(dst []byte, f *Frame) []byte {
	switch f.Kind {
	case KindDataText, KindDataBinary:
		return AppendData(dst, f.Kind, f.N, f.Payload)
	case KindAck, KindPing, KindPong:
		return AppendControl(dst, f.Kind, f.N)
	case KindHello:
		dst = append(dst, KindHello, f.Version, f.Flags)
		if f.Flags&FlagResume != 0 {
			dst = append(dst, f.ID[:]...)
		}
		return binary.AppendUvarint(dst, f.N)
	case KindWelcome:
		dst = append(dst, KindWelcome, f.Version, f.Flags)
		dst = append(dst, f.ID[:]...)
		dst = binary.AppendUvarint(dst, f.N)
		dst = binary.AppendUvarint(dst, f.AckEvery)
		return binary.AppendUvarint(dst, f.AckDelayMS)
	}
	return append(dst, f.Kind)
}

// Decode parses one frame (one binary WebSocket message). The returned
// Payload aliases b. Errors are *DecodeError wrapping a sentinel; Decode
// never panics, whatever b holds.
func Decode(b []byte) (Frame, error) {
	var f Frame
	if len(b) == 0 {
		return f, &DecodeError{Err: ErrEmpty}
	}
	f.Kind = b[0]
	d := decoder{b: b, off: 1, kind: b[0]}
	switch f.Kind {
	case KindDataText, KindDataBinary:
		f.N = d.uvarint()
		if d.err == nil && f.N == 0 {
			return Frame{}, d.fail(1, ErrZeroSeq)
		}
		if d.err != nil {
			return Frame{}, d.err
		}
		f.Payload = b[d.off:]
		if f.Kind == KindDataText && !utf8.Valid(f.Payload) {
			return Frame{}, d.fail(d.off, ErrInvalidUTF8)
		}
		return f, nil
	case KindAck, KindPing, KindPong:
		f.N = d.uvarint()
	case KindHello:
		f.Version, f.Flags = d.versionFlags()
		if d.err == nil && f.Flags&FlagResume != 0 {
			d.id(&f.ID)
		}
		f.N = d.uvarint()
		if d.err == nil && f.Flags&FlagResume == 0 && f.N != 0 {
			return Frame{}, d.fail(2, ErrFlags)
		}
	case KindWelcome:
		f.Version, f.Flags = d.versionFlags()
		d.id(&f.ID)
		f.N = d.uvarint()
		f.AckEvery = d.uvarint()
		f.AckDelayMS = d.uvarint()
	default:
		return Frame{}, d.fail(0, ErrUnknownKind)
	}
	if d.err == nil && d.off != len(b) {
		d.fail(d.off, ErrTrailing)
	}
	if d.err != nil {
		return Frame{}, d.err
	}
	return f, nil
}

// decoder reads fields in order; after the first error every read is a
// no-op, so Decode checks once per frame.
type decoder struct {
	b    []byte
	off  int
	kind byte
	err  error
}

func (d *decoder) fail(off int, err error) error {
	if d.err == nil {
		d.err = &DecodeError{Kind: d.kind, Offset: off, Err: err}
	}
	return d.err
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	switch {
	case n == 0:
		d.fail(d.off, ErrTruncated)
		return 0
	case n < 0:
		d.fail(d.off, ErrOverflow)
		return 0
	case n != uvarintLen(v):
		d.fail(d.off, ErrNonCanonical)
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) versionFlags() (version, flags byte) {
	if d.err != nil {
		return 0, 0
	}
	if len(d.b)-d.off < 2 {
		d.fail(d.off, ErrTruncated)
		return 0, 0
	}
	version, flags = d.b[d.off], d.b[d.off+1]
	if version != Version {
		d.fail(d.off, ErrVersion)
		return 0, 0
	}
	if flags&^FlagResume != 0 {
		d.fail(d.off+1, ErrFlags)
		return 0, 0
	}
	d.off += 2
	return version, flags
}

func (d *decoder) id(dst *SessionID) {
	if d.err != nil {
		return
	}
	if len(d.b)-d.off < IDLen {
		d.fail(d.off, ErrTruncated)
		return
	}
	copy(dst[:], d.b[d.off:])
	d.off += IDLen
}

// uvarintLen is the length of v's minimal uvarint encoding.
func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}
