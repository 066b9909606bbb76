//go:build !js

package sdk_test

import (
	"encoding/binary"
	"testing"

	"github.com/redial-ws/redial/internal/rawws"
	"github.com/redial-ws/redial/sdk"
)

// fuzzLayout decodes a frame layout from b: byte 0 picks the type (bit 0)
// and the number of fragments (1 + bits 1-2); then each fragment takes 4
// bytes: a payload size (uint16), the length encoding (mod 3),
// and flags (bit 0: a zero mask key; bit 1: a control frame after it,
// bit 2: ping rather than pong). Missing bytes read as zero, so every
// input is a valid layout.
func fuzzLayout(b []byte) layout {
	at := func(i int) byte {
		if i < len(b) {
			return b[i]
		}
		return 0
	}
	l := layout{name: "fuzz", typ: sdk.MessageText}
	if at(0)&1 != 0 {
		l.typ = sdk.MessageBinary
	}
	frags := 1 + int(at(0)>>1&3)
	for i := range frags {
		o := 1 + 4*i
		n := int(binary.BigEndian.Uint16([]byte{at(o), at(o + 1)}))
		op := rawws.OpContinuation
		if i == 0 {
			op = opOf(l.typ)
		}
		p := part{fin: i == frags-1, op: op, payload: pattern(n, byte(i)), enc: rawws.LenEncoding(at(o+2) % 3)}
		flags := at(o + 3)
		if flags&1 != 0 {
			p.mask = zeroKey
		}
		l.parts = append(l.parts, p)
		if flags&2 != 0 && i < frags-1 {
			ctl := rawws.OpPong
			if flags&4 != 0 {
				ctl = rawws.OpPing
			}
			l.parts = append(l.parts, part{fin: true, op: ctl, payload: []byte("ctl"), control: true})
		}
	}
	return l
}

// FuzzCutMidMessage cuts a fuzzed frame layout at a fuzzed position (mod
// the stream's length), with a FIN or an RST: the Conn must deliver
// nothing from the cut connection, end it as 1006, and deliver the next
// connection's message whole (runCuts checks all three).
func FuzzCutMidMessage(f *testing.F) {
	// The example: text, 60,000 announced, cut 6,080 bytes in.
	f.Add([]byte{0x00, 0xEA, 0x60, 0, 0}, uint32(4+6080), false)
	f.Add([]byte{0x00, 0x01, 0xF4}, uint32(2), false)                                // text 500, cut after the header
	f.Add([]byte{0x05, 0x03, 0xE8, 0, 2, 0x03, 0xE8, 2, 1}, uint32(1004), false)     // binary, 2 fragments, cut after the first
	f.Add([]byte{0x04, 0x02, 0x00, 1, 6, 0x00, 0x10, 2, 1}, uint32(518+2+3+1), true) // ping between fragments, RST
	f.Fuzz(func(t *testing.T, lb []byte, cut uint32, reset bool) {
		l := fuzzLayout(lb)
		e := fin
		if reset {
			e = rst
		}
		runCuts(t, l, e, []int{int(cut % uint32(len(l.stream())))}, plain)
	})
}
