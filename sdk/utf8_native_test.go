//go:build !js

package sdk_test

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/redial-ws/redial/internal/rawws"
	"github.com/redial-ws/redial/sdk"
)

// A text message that is not UTF-8 was handed to the app as MessageText.
// RFC 6455 §8.1: the endpoint MUST fail the connection; a browser does
// (close 1007 to the server, the message never reaches the page). Natively
// the same now: the server receives a close frame with 1007, the app reads
// what came before and then a local *CloseError 1007, final by policy.
func TestInvalidUTF8TextFailsWith1007(t *testing.T) {
	text := func(p string) []byte { return rawws.Frame(true, rawws.OpText, []byte(p)) }
	frag := func(op byte, fin bool, p string) []byte { return rawws.Frame(fin, op, []byte(p)) }
	for _, tc := range []struct {
		name   string
		frames [][]byte
	}{
		{"bad \\xff\\xfe (issue example)", [][]byte{text("bad \xff\xfe")}},
		{"lone continuation byte", [][]byte{text("a\x80b")}},
		{"overlong '/'", [][]byte{text("\xc0\xaf")}},
		{"UTF-16 surrogate", [][]byte{text("\xed\xa0\x80")}},
		{"over U+10FFFF", [][]byte{text("\xf4\x90\x80\x80")}},
		{"truncated at the end", [][]byte{text("euro \xe2\x82")}},
		{"invalid across fragments", [][]byte{frag(rawws.OpText, false, "euro \xe2\x82"), frag(rawws.OpContinuation, true, "x")}},
		{"invalid in the last fragment", [][]byte{frag(rawws.OpText, false, "ok "), frag(rawws.OpContinuation, false, "fine "), frag(rawws.OpContinuation, true, "\xfe")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := make(chan []byte, 4)
			s, err := rawws.Start(func(n int, c *rawws.Conn) {
				if n > 0 {
					got <- []byte("reconnected")
					return
				}
				_ = c.Write(text("before"))
				for _, f := range tc.frames {
					_ = c.Write(f)
				}
				_ = c.Write(text("after"))
				p, _ := c.AwaitClose()
				got <- p
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(s.Close)
			c := dial(t, s.URL(), fast(nil))
			ctx := ctxT(t)
			if typ, p, err := c.Read(ctx); err != nil || typ != sdk.MessageText || string(p) != "before" {
				t.Fatalf("first Read = %v %q %v, want text \"before\"", typ, p, err)
			}
			typ, p, err := c.Read(ctx)
			var ce *sdk.CloseError
			if !errors.As(err, &ce) || !errors.Is(err, sdk.ErrClosed) || ce.Code != sdk.StatusInvalidFramePayloadData || !ce.Local {
				t.Fatalf("second Read = %v %q %v, want a final local *CloseError 1007", typ, p, err)
			}
			if !strings.Contains(err.Error(), "not valid UTF-8") {
				t.Errorf("error %q does not say why", err)
			}
			frame := <-got
			if len(frame) < 2 || binary.BigEndian.Uint16(frame) != 1007 {
				t.Errorf("the server got close frame %q, want code 1007", frame)
			}
		})
	}
}

// The controls: a character split between fragments, binary messages with
// any bytes, and empty text are delivered as they are.
func TestValidTextAndAnyBinaryAreDelivered(t *testing.T) {
	s, err := rawws.Start(func(_ int, c *rawws.Conn) {
		_ = c.Write(rawws.Frame(false, rawws.OpText, []byte("euro \xe2\x82")))
		_ = c.Write(rawws.Frame(true, rawws.OpContinuation, []byte("\xac!")))
		_ = c.Write(rawws.Frame(true, rawws.OpBinary, []byte("\xff\xfe")))
		_ = c.Write(rawws.Frame(true, rawws.OpText, nil))
		_ = c.Write(rawws.Frame(true, rawws.OpText, []byte("\U0010FFFF")))
		c.ServeUntilClose()
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	c := dial(t, s.URL(), fast(nil))
	for _, want := range []struct {
		typ sdk.MessageType
		p   string
	}{{sdk.MessageText, "euro €!"}, {sdk.MessageBinary, "\xff\xfe"}, {sdk.MessageText, ""}, {sdk.MessageText, "\U0010FFFF"}} {
		typ, p, err := c.Read(ctxT(t))
		if err != nil || typ != want.typ || string(p) != want.p {
			t.Fatalf("Read = %v %q %v, want %v %q", typ, p, err, want.typ, want.p)
		}
	}
}

// The check sees only whole messages: a text message over ReadLimit still
// ends with 1009, and one cut short by the stream's end (eofGuard) still
// ends as 1006 and reconnects, whatever bytes it held.
func TestUTF8CheckLeavesLimitsAndCutsAlone(t *testing.T) {
	bad := []byte(strings.Repeat("\xff", 600))
	t.Run("over ReadLimit", func(t *testing.T) {
		s, err := rawws.Start(func(_ int, c *rawws.Conn) {
			_ = c.Write(rawws.Frame(true, rawws.OpText, bad))
			c.ServeUntilClose()
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		c := dial(t, s.URL(), fast(&sdk.Options{ReadLimit: 100}))
		_, _, err = c.Read(ctxT(t))
		var ce *sdk.CloseError
		if !errors.As(err, &ce) || ce.Code != sdk.StatusMessageTooBig {
			t.Fatalf("Read = %v, want a *CloseError 1009", err)
		}
	})
	t.Run("cut mid-message", func(t *testing.T) {
		s, err := rawws.Start(func(n int, c *rawws.Conn) {
			if n == 0 {
				_ = c.Write(rawws.Header(true, rawws.OpText, 60000, rawws.LenShortest, nil))
				_ = c.Write(bad[:512])
				c.Cut()
				return
			}
			_ = c.Write(rawws.Frame(true, rawws.OpText, []byte("ok")))
			c.ServeUntilClose()
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		o := fast(nil)
		rec := newRecorder(o)
		c := dial(t, s.URL(), o)
		if typ, p, err := c.Read(ctxT(t)); err != nil || typ != sdk.MessageText || string(p) != "ok" {
			t.Fatalf("Read = %v %q %v, want text \"ok\" from the next connection", typ, p, err)
		}
		e := rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
		if e.Close == nil || e.Close.Code != sdk.StatusAbnormalClosure {
			t.Errorf("the cut ended the connection with %v, want 1006", e.Err)
		}
	})
}
