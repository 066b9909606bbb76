package rawws

import (
	"encoding/binary"
	"errors"
	"io"
)

// Opcodes (RFC 6455 §5.2).
const (
	OpContinuation byte = 0x0
	OpText         byte = 0x1
	OpBinary       byte = 0x2
	OpClose        byte = 0x8
	OpPing         byte = 0x9
	OpPong         byte = 0xA
)

// LenEncoding picks how a header writes the payload length (RFC 6455
// §5.2): the shortest form, or a longer one on purpose, so a test can cut
// inside a 2- or 8-byte extended length with a small payload. Receivers
// accept the longer forms (coder/websocket does not check minimality).
type LenEncoding int

const (
	LenShortest LenEncoding = iota // 7-bit, else 16-bit, else 64-bit
	Len16                          // always the 16-bit extended form
	Len64                          // always the 64-bit extended form
)

// Header is a frame header: FIN bit, opcode, the announced payload length
// n in the given encoding, and a masking key when mask is non-nil (servers
// must not mask, RFC 6455 §5.1, but a cut inside a key is still a cut).
func Header(fin bool, op byte, n int, enc LenEncoding, mask *[4]byte) []byte {
	b0 := op
	if fin {
		b0 |= 0x80
	}
	var mbit byte
	if mask != nil {
		mbit = 0x80
	}
	h := []byte{b0, 0}
	switch {
	case enc == Len64 || (enc == LenShortest && n > 0xFFFF):
		h[1] = mbit | 127
		h = binary.BigEndian.AppendUint64(h, uint64(n))
	case enc == Len16 || (enc == LenShortest && n > 125):
		h[1] = mbit | 126
		h = binary.BigEndian.AppendUint16(h, uint16(n))
	default:
		h[1] = mbit | byte(n)
	}
	if mask != nil {
		h = append(h, mask[:]...)
	}
	return h
}

// Frame is an unmasked frame with the shortest length encoding.
func Frame(fin bool, op byte, payload []byte) []byte {
	return append(Header(fin, op, len(payload), LenShortest, nil), payload...)
}

// ReadFrame reads one frame (the client's: masked) and returns its opcode
// and unmasked payload.
func ReadFrame(r io.Reader) (op byte, payload []byte, err error) {
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, nil, err
	}
	op = h[0] & 0x0F
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, nil, err
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, nil, err
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	if n > 1<<24 {
		return 0, nil, errors.New("rawws: frame too large for a test")
	}
	var key [4]byte
	masked := h[1]&0x80 != 0
	if masked {
		if _, err := io.ReadFull(r, key[:]); err != nil {
			return 0, nil, err
		}
	}
	payload = make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		return 0, nil, err
	}
	if masked {
		for i := range payload {
			payload[i] ^= key[i%4]
		}
	}
	return op, payload, nil
}
