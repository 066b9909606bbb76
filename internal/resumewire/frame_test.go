package resumewire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"testing"
	"unicode/utf8"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var testID = SessionID{0x5b, 0x0e, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 0xc7}

// The byte-level examples of docs/resume.md, both ways.
func TestSpecExamples(t *testing.T) {
	idHex := hex.EncodeToString(testID[:])
	cases := []struct {
		name string
		f    Frame
		hex  string
	}{
		{"DATA_TEXT seq 1 hi", Frame{Kind: KindDataText, N: 1, Payload: []byte("hi")}, "01016869"},
		{"DATA_BINARY seq 300", Frame{Kind: KindDataBinary, N: 300, Payload: []byte{0xff}}, "02ac02ff"},
		{"ACK 1000", Frame{Kind: KindAck, N: 1000}, "03e807"},
		{"PING 7", Frame{Kind: KindPing, N: 7}, "0407"},
		{"PONG 7", Frame{Kind: KindPong, N: 7}, "0507"},
		{"HELLO new", Frame{Kind: KindHello, Version: 1}, "10010000"},
		{"HELLO resume 41", Frame{Kind: KindHello, Version: 1, Flags: FlagResume, ID: testID, N: 41}, "100101" + idHex + "29"},
		{"WELCOME resumed", Frame{Kind: KindWelcome, Version: 1, Flags: FlagResume, ID: testID, N: 17, AckEvery: 64, AckDelayMS: 50}, "110101" + idHex + "114032"},
		{"WELCOME new", Frame{Kind: KindWelcome, Version: 1, ID: testID, AckEvery: 64, AckDelayMS: 50}, "110100" + idHex + "004032"},
	}
	for _, c := range cases {
		got := Append(nil, &c.f)
		if want := unhex(t, c.hex); !bytes.Equal(got, want) {
			t.Errorf("%s: encoded % x, want % x", c.name, got, want)
		}
		f, err := Decode(got)
		if err != nil {
			t.Fatalf("%s: decode: %v", c.name, err)
		}
		if !frameEqual(&f, &c.f) {
			t.Errorf("%s: decoded %+v, want %+v", c.name, f, c.f)
		}
	}
}

// Every malformed input gets its own worded, typed error.
func TestDecodeMalformed(t *testing.T) {
	cases := []struct {
		hex  string
		want error
		off  int
	}{
		{"", ErrEmpty, 0},
		{"00", ErrUnknownKind, 0},
		{"06", ErrUnknownKind, 0},
		{"ff0102", ErrUnknownKind, 0},
		{"01", ErrTruncated, 1},
		{"0280", ErrTruncated, 1},
		{"0100", ErrZeroSeq, 1},
		{"0200ff", ErrZeroSeq, 1},
		{"0101ff", ErrInvalidUTF8, 2},
		{"0101c328", ErrInvalidUTF8, 2},
		{"03", ErrTruncated, 1},
		{"038000", ErrNonCanonical, 1},
		{"0300ff", ErrTrailing, 2},
		{"03ffffffffffffffffff02", ErrOverflow, 1},
		{"03ffffffffffffffffff7f", ErrOverflow, 1},
		{"040100", ErrTrailing, 2},
		{"05", ErrTruncated, 1},
		{"10", ErrTruncated, 1},
		{"1001", ErrTruncated, 1},
		{"100200", ErrVersion, 1},
		{"100102", ErrFlags, 2},
		{"100100", ErrTruncated, 3},
		{"10010005", ErrFlags, 2},
		{"100101" + "00112233", ErrTruncated, 3},
		{"1001000000", ErrTrailing, 4},
		{"11010000112233445566778899aabbccddeeff0040", ErrTruncated, 21},
		{"11010200112233445566778899aabbccddeeff004032", ErrFlags, 2},
	}
	for _, c := range cases {
		if c.want == nil {
			continue
		}
		b := unhex(t, c.hex)
		f, err := Decode(b)
		if !errors.Is(err, c.want) {
			t.Errorf("% x: err %v, want %v", b, err, c.want)
			continue
		}
		var de *DecodeError
		if !errors.As(err, &de) || de.Offset != c.off {
			t.Errorf("% x: %v: offset %d, want %d", b, err, de.Offset, c.off)
		}
		if f.Kind != 0 || f.Payload != nil {
			t.Errorf("% x: a failed decode returned %+v", b, f)
		}
		if err.Error() == "" {
			t.Errorf("% x: no words", b)
		}
	}
}

func frameEqual(a, b *Frame) bool {
	return a.Kind == b.Kind && a.N == b.N && bytes.Equal(a.Payload, b.Payload) &&
		a.Version == b.Version && a.Flags == b.Flags && a.ID == b.ID &&
		a.AckEvery == b.AckEvery && a.AckDelayMS == b.AckDelayMS
}

// FuzzDecode: Decode never panics; whatever it accepts re-encodes to the
// same bytes (one encoding per frame), and re-decodes to the same frame.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{"01016869", "02ac02ff", "03e807", "0407", "0507", "10010000",
		"100101" + hex.EncodeToString(testID[:]) + "29", "110101" + hex.EncodeToString(testID[:]) + "114032",
		"038000", "03ffffffffffffffffff01", "0101c328", ""} {
		f.Add(unhex(f, s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := Decode(b)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		out := Append(nil, &fr)
		if !bytes.Equal(out, b) {
			t.Fatalf("decode(% x) = %+v re-encodes as % x", b, fr, out)
		}
		again, err := Decode(out)
		if err != nil || !frameEqual(&again, &fr) {
			t.Fatalf("re-decode: %+v, %v; want %+v", again, err, fr)
		}
	})
}

// FuzzEncode: every frame Append builds from valid fields decodes back to
// the same fields.
func FuzzEncode(f *testing.F) {
	f.Add(byte(KindDataText), uint64(1), []byte("hi"), byte(0), []byte(nil), uint64(0), uint64(0))
	f.Add(byte(KindHello), uint64(41), []byte(nil), FlagResume, testID[:], uint64(0), uint64(0))
	f.Add(byte(KindWelcome), uint64(17), []byte(nil), FlagResume, testID[:], uint64(64), uint64(50))
	f.Fuzz(func(t *testing.T, kind byte, n uint64, payload []byte, flags byte, id []byte, every, delay uint64) {
		fr := Frame{Kind: kind, N: n}
		switch kind {
		case KindDataText, KindDataBinary:
			if n == 0 {
				return
			}
			fr.Payload = payload
			if kind == KindDataText && !utf8.Valid(payload) {
				return
			}
		case KindAck, KindPing, KindPong:
		case KindHello, KindWelcome:
			fr.Version, fr.Flags = Version, flags&FlagResume
			if kind == KindWelcome || fr.Flags != 0 {
				copy(fr.ID[:], id)
			}
			if kind == KindHello && fr.Flags == 0 {
				fr.N = 0
			}
			if kind == KindWelcome {
				fr.AckEvery, fr.AckDelayMS = every, delay
			}
		default:
			return
		}
		got, err := Decode(Append(nil, &fr))
		if err != nil || !frameEqual(&got, &fr) {
			t.Fatalf("round trip of %+v: %+v, %v", fr, got, err)
		}
	})
}

// The committed seed corpus exists (go test runs it as regular tests).
func TestSeedCorpusCommitted(t *testing.T) {
	for _, d := range []string{"testdata/fuzz/FuzzDecode", "testdata/fuzz/FuzzEncode"} {
		es, err := os.ReadDir(d)
		if err != nil || len(es) == 0 {
			t.Errorf("%s: no seed corpus (%v)", d, err)
		}
	}
}
