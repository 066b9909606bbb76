//go:build !js

package sdk_test

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/redial-ws/redial/internal/rawws"
	"github.com/redial-ws/redial/sdk"
)

// Issue 8 §1: a TCP stream that ends (FIN or RST) anywhere inside a message
// must never hand the app a message: the connection ends as 1006 and the
// policy reconnects. coder/websocket alone delivers the bytes read so far as
// a whole message when the cut lands where a read starts (see
// eofguard_native.go). The server here is raw: a real upgrade, then exact
// bytes (internal/rawws).

// part is one frame of a message as the server writes it.
type part struct {
	fin     bool
	op      byte
	payload []byte
	enc     rawws.LenEncoding
	mask    *[4]byte
	control bool // a control frame interleaved mid-message: not message data
}

// layout is a message and the frames that carry it.
type layout struct {
	name  string
	typ   sdk.MessageType
	parts []part
}

func (l layout) stream() []byte {
	var b []byte
	for _, p := range l.parts {
		b = append(b, rawws.Header(p.fin, p.op, len(p.payload), p.enc, p.mask)...)
		b = append(b, p.payload...)
	}
	return b
}

func (l layout) message() []byte {
	var b []byte
	for _, p := range l.parts {
		if !p.control {
			b = append(b, p.payload...)
		}
	}
	return b
}

// pattern is n bytes that differ from one position to the next, seeded so
// two connections' messages differ.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a' + (byte(i)+seed)%26
	}
	return b
}

func single(name string, typ sdk.MessageType, n int, enc rawws.LenEncoding, mask *[4]byte) layout {
	return layout{name, typ, []part{{fin: true, op: opOf(typ), payload: pattern(n, 0), enc: enc, mask: mask}}}
}

func opOf(typ sdk.MessageType) byte {
	if typ == sdk.MessageBinary {
		return rawws.OpBinary
	}
	return rawws.OpText
}

// fragmented splits a message into frames of the given payload sizes; a
// control frame (op, payload) goes after the frame with index ctlAfter
// (-1: none).
func fragmented(name string, typ sdk.MessageType, sizes []int, ctlAfter int, ctlOp byte) layout {
	l := layout{name: name, typ: typ}
	seed := byte(0)
	for i, n := range sizes {
		op := rawws.OpContinuation
		if i == 0 {
			op = opOf(typ)
		}
		l.parts = append(l.parts, part{fin: i == len(sizes)-1, op: op, payload: pattern(n, seed)})
		seed += 7
		if i == ctlAfter {
			l.parts = append(l.parts, part{fin: true, op: ctlOp, payload: []byte("mid-message control"), control: true})
		}
	}
	return l
}

// zeroKey masks with 0000: the frame carries a key (so a cut can land in
// it) but the payload reads the same whether or not it is unmasked.
var zeroKey = &[4]byte{}

func layouts() []layout {
	return []layout{
		single("text 60000 (issue example)", sdk.MessageText, 60000, rawws.LenShortest, nil),
		single("binary 60000", sdk.MessageBinary, 60000, rawws.LenShortest, nil),
		single("binary 70000 (64-bit length)", sdk.MessageBinary, 70000, rawws.LenShortest, nil),
		single("text 0", sdk.MessageText, 0, rawws.LenShortest, nil),
		single("text 100 (7-bit length)", sdk.MessageText, 100, rawws.LenShortest, nil),
		single("binary 10 in a 64-bit length", sdk.MessageBinary, 10, rawws.Len64, nil),
		single("text 300 with a mask key", sdk.MessageText, 300, rawws.Len16, zeroKey),
		fragmented("text in 3 fragments", sdk.MessageText, []int{1000, 1000, 1000}, -1, 0),
		fragmented("binary in 3 fragments, ping after the first", sdk.MessageBinary, []int{700, 5000, 300}, 0, rawws.OpPing),
		fragmented("text in 4 fragments, pong after a continuation", sdk.MessageText, []int{0, 4096, 0, 2000}, 1, rawws.OpPong),
		{"binary in 2 fragments, the second with a 64-bit length and a mask key", sdk.MessageBinary, []part{
			{op: rawws.OpBinary, payload: pattern(600, 1)},
			{fin: true, op: rawws.OpContinuation, payload: pattern(40, 2), enc: rawws.Len64, mask: zeroKey},
		}},
	}
}

// readAllBoundaries are the message sizes at which io.ReadAll (which
// coder/websocket's Conn.Read uses) starts a new Read: 512, then chunks
// growing by half, rounded up to the allocator's size classes. A cut at
// one of these makes that Read begin at EOF. The list is included
// literally, in case the growth rule changes.
func readAllBoundaries(limit int) []int {
	out := []int{512, 768, 1152, 1728, 2624, 4032, 6080}
	total, next := 512, 256
	for total <= limit {
		out = append(out, total)
		total += cap(append([]byte(nil), make([]byte, next)...))
		next += next / 2
	}
	return out
}

// cuts are the stream positions to cut a layout at: every byte position
// inside and between frame headers (including right after the upgrade),
// the read boundaries above plus a few payload positions (start, 1, 1000,
// middle, last byte) in message space, and multiples of bufio's 4096.
func cuts(l layout) []int {
	var pos []int
	var msgAt []int // stream position of each message byte offset
	off := 0
	for _, p := range l.parts {
		h := len(rawws.Header(p.fin, p.op, len(p.payload), p.enc, p.mask))
		for i := 0; i <= h; i++ {
			pos = append(pos, off+i)
		}
		off += h
		for i := range p.payload {
			if !p.control {
				msgAt = append(msgAt, off+i)
			}
		}
		for _, n := range []int{1, len(p.payload) / 2, len(p.payload) - 1} {
			if n > 0 && n < len(p.payload) {
				pos = append(pos, off+n)
			}
		}
		off += len(p.payload)
	}
	for _, n := range append(readAllBoundaries(len(msgAt)), 1, 1000, len(msgAt)/2, len(msgAt)-1) {
		if n > 0 && n < len(msgAt) {
			pos = append(pos, msgAt[n])
		}
	}
	for n := 4096; n < off; n += 4096 {
		pos = append(pos, n)
	}
	slices.Sort(pos)
	pos = slices.Compact(pos)
	return slices.DeleteFunc(pos, func(n int) bool { return n >= off })
}

type ending int

const (
	fin ending = iota // FIN: shutdown of the server's write side
	rst               // RST: SO_LINGER 0, then close
)

func (e ending) String() string { return [...]string{"FIN", "RST"}[e] }

func (e ending) end(c *rawws.Conn) {
	if e == rst {
		c.Reset()
		return
	}
	c.Cut()
}

// final is the message the connection after the cuts delivers whole.
var final = pattern(3000, 13)

// TestCutMidMessageNeverDelivers cuts each layout at every position from
// cuts(), one connection per cut, on one Conn: no Read may return anything
// before the whole message the connection after the cuts sends, and every
// cut connection must end as 1006 with the cause attached.
func TestCutMidMessageNeverDelivers(t *testing.T) {
	for _, l := range layouts() {
		for _, e := range []ending{fin, rst} {
			t.Run(fmt.Sprintf("%s/%v", l.name, e), func(t *testing.T) {
				runCuts(t, l, e, cuts(l), plain)
			})
		}
	}
}

// TestCutMidMessageNeverDeliversTLS: over wss the server ends the stream
// with a TLS close_notify and then a FIN; crypto/tls reports that as
// io.EOF, so a guard below TLS (on the dialed net.Conn) would miss it. The
// guard must also hold with a user-supplied HTTPClient and Transport.
func TestCutMidMessageNeverDeliversTLS(t *testing.T) {
	for _, l := range layouts() {
		if !strings.Contains(l.name, "issue example") && !strings.Contains(l.name, "ping after") {
			continue
		}
		for _, via := range []dialVia{tlsConfig, userClient} {
			t.Run(fmt.Sprintf("%s/%v", l.name, via), func(t *testing.T) {
				runCuts(t, l, fin, cuts(l), via)
			})
		}
	}
}

// dialVia is how the client reaches the server.
type dialVia int

const (
	plain      dialVia = iota // ws://, redial's own HTTP client
	tlsConfig                 // wss://, NativeOptions.TLSConfig
	userClient                // wss://, NativeOptions.HTTPClient with its own Transport
)

func (v dialVia) String() string { return [...]string{"ws", "wss TLSConfig", "wss HTTPClient"}[v] }

func (v dialVia) start(script rawws.Script) (*rawws.Server, error) {
	if v == plain {
		return rawws.Start(script)
	}
	return rawws.StartTLS(script)
}

func (v dialVia) options(s *rawws.Server) *sdk.Options {
	o := fast(nil)
	switch v {
	case tlsConfig:
		o.Native = &sdk.NativeOptions{TLSConfig: &tls.Config{RootCAs: s.RootCAs()}}
	case userClient:
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.RootCAs()}}
		o.Native = &sdk.NativeOptions{HTTPClient: &http.Client{Transport: tr}}
	}
	return o
}

// startFinal starts a server whose first `firsts` connections run first;
// the next ones send final whole and serve until the client's close.
func startFinal(t *testing.T, via dialVia, firsts int, first rawws.Script) *rawws.Server {
	t.Helper()
	s, err := via.start(func(n int, c *rawws.Conn) {
		if n < firsts {
			first(n, c)
			return
		}
		if c.Write(rawws.Frame(true, rawws.OpBinary, final)) == nil {
			c.ServeUntilClose()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// runCuts serves stream[:cut] then ends it (e) on connection i for each
// cuts[i]; the next connection sends final whole and serves until close.
func runCuts(t *testing.T, l layout, e ending, at []int, via dialVia) {
	t.Helper()
	stream := l.stream()
	s := startFinal(t, via, len(at), func(n int, c *rawws.Conn) {
		_ = c.Write(stream[:at[n]])
		e.end(c)
	})
	o := via.options(s)
	rec := newRecorder(o)
	c := dial(t, s.URL(), o)
	// Read on to the final message, so a failure lists every cut message
	// that was delivered, not just the first.
	var bad []string
	for {
		typ, p, err := c.Read(ctxT(t))
		if err != nil {
			t.Fatalf("Read: %v (delivered before: %v)", err, bad)
		}
		if typ == sdk.MessageBinary && bytes.Equal(p, final) {
			break
		}
		bad = append(bad, fmt.Sprintf("%v %d bytes", typ, len(p)))
	}
	if len(bad) > 0 {
		t.Fatalf("%d cut message(s) delivered as whole: %v (the %d-byte message was cut at stream positions %v)",
			len(bad), bad, len(l.message()), at)
	}
	for i := range at {
		ev := rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
		ce := ev.Close
		switch {
		case ce != nil && ce.Code == sdk.StatusAbnormalClosure && ce.Err != nil && !ce.Local:
		case e == rst && ce == nil && ev.Err != nil:
			// An RST can overtake the 101 in the client's receive
			// buffer: the attempt fails before it opens. Not a delivery.
		default:
			t.Fatalf("cut at %d (of %d): event %v, want 1006 with its cause", at[i], len(stream), ev)
		}
	}
}

// TestWholeMessageThenFINIsDelivered is the positive control: a complete
// message followed by FIN is delivered whole, then the connection ends as
// 1006 and the next one delivers its message too.
func TestWholeMessageThenFINIsDelivered(t *testing.T) {
	for _, l := range layouts() {
		t.Run(l.name, func(t *testing.T) {
			stream := l.stream()
			s := startFinal(t, plain, 1, func(_ int, c *rawws.Conn) {
				_ = c.Write(stream)
				c.Cut()
			})
			o := fast(nil)
			rec := newRecorder(o)
			c := dial(t, s.URL(), o)
			typ, p, err := c.Read(ctxT(t))
			if err != nil || typ != l.typ || !bytes.Equal(p, l.message()) {
				t.Fatalf("Read = %v, %d bytes, %v; want %v, %d bytes", typ, len(p), err, l.typ, len(l.message()))
			}
			ev := rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
			if ev.Close == nil || ev.Close.Code != sdk.StatusAbnormalClosure || ev.Close.Err == nil {
				t.Fatalf("after FIN: %v, want 1006 with its cause", ev)
			}
			typ, p, err = c.Read(ctxT(t))
			if err != nil || typ != sdk.MessageBinary || !bytes.Equal(p, final) {
				t.Fatalf("after reconnect Read = %v, %d bytes, %v", typ, len(p), err)
			}
		})
	}
}
