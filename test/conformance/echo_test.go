package conformance_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/redial-ws/redial/internal/wsaccept"
	"github.com/redial-ws/redial/sdk"
)

func TestEchoTextAndBinary(t *testing.T) {
	f := newFixture(t)
	c := dial(t, f.url("/echo"), fast(nil))
	if c.State() != sdk.StateOpen {
		t.Fatalf("State after Dial = %v, want open", c.State())
	}
	echo(t, c, "hello")
	echo(t, c, "héllo, wörld ✓") // UTF-8 survives both transports
	ctx := ctxT(t)
	bin := []byte{0, 1, 2, 255, 0}
	if err := c.Write(ctx, sdk.MessageBinary, bin); err != nil {
		t.Fatal(err)
	}
	typ, p, err := c.Read(ctx)
	if err != nil || typ != sdk.MessageBinary || !bytes.Equal(p, bin) {
		t.Fatalf("binary echo = %v %v %v, want binary %v", typ, p, err, bin)
	}
	if got := f.received("/echo"); len(got) != 2 || got[0] != "hello" {
		t.Fatalf("server received %q, want the 2 text messages", got)
	}
}

func TestEchoLargeMessages(t *testing.T) {
	f := newFixture(t)
	c := dial(t, f.url("/echo"), fast(nil))
	ctx := ctxT(t)
	big := bytes.Repeat([]byte("0123456789abcdef"), 32<<10) // 512 KiB
	big[0], big[len(big)-1] = 0xfe, 0xff
	if err := c.Write(ctx, sdk.MessageBinary, big); err != nil {
		t.Fatal(err)
	}
	typ, p, err := c.Read(ctx)
	if err != nil || typ != sdk.MessageBinary || !bytes.Equal(p, big) {
		t.Fatalf("512 KiB binary echo: type %v, %d bytes, err %v", typ, len(p), err)
	}
	echo(t, c, strings.Repeat("x", 100<<10))
}

// TestWriteAndDialRejects: what the API refuses up front, without a
// connection attempt or with the Conn left intact.
func TestWriteAndDialRejects(t *testing.T) {
	f := newFixture(t)
	ctx := ctxT(t)
	for _, u := range []string{"", "ftp://127.0.0.1/", "ws:///nohost", "ws://127.0.0.1/#frag"} {
		var ue *sdk.URLError
		if _, err := sdk.Dial(ctx, u, fast(nil)); !errors.As(err, &ue) {
			t.Errorf("Dial(%q) = %v, want *URLError", u, err)
		}
	}
	var oe *sdk.OptionError
	if _, err := sdk.Dial(ctx, f.url("/echo"), &sdk.Options{MaxQueued: -1}); !errors.As(err, &oe) || oe.Field != "MaxQueued" {
		t.Errorf("Dial with MaxQueued -1 = %v, want *OptionError on MaxQueued", err)
	}
	var nilCtx context.Context
	if _, err := sdk.Dial(nilCtx, f.url("/echo"), nil); !errors.Is(err, sdk.ErrNilContext) {
		t.Errorf("Dial(nil ctx) = %v, want ErrNilContext", err)
	}
	if n := f.accepted(); n != 0 {
		t.Fatalf("server accepted %d upgrades for refused Dials, want 0", n)
	}

	o := fast(nil)
	o.MaxQueuedBytes = 1024
	c := dial(t, f.url("/echo"), o)
	if err := c.Write(ctx, sdk.MessageType(9), []byte("x")); !errors.Is(err, sdk.ErrInvalidMessageType) {
		t.Errorf("Write type 9 = %v, want ErrInvalidMessageType", err)
	}
	if err := c.Write(ctx, sdk.MessageBinary, make([]byte, 1025)); !errors.Is(err, sdk.ErrMessageTooBig) {
		t.Errorf("Write over MaxQueuedBytes = %v, want ErrMessageTooBig", err)
	}
	if err := c.Write(nilCtx, sdk.MessageText, []byte("x")); !errors.Is(err, sdk.ErrNilContext) {
		t.Errorf("Write(nil ctx) = %v, want ErrNilContext", err)
	}
	if _, _, err := c.Read(nilCtx); !errors.Is(err, sdk.ErrNilContext) {
		t.Errorf("Read(nil ctx) = %v, want ErrNilContext", err)
	}
	if err := c.Close(sdk.StatusAbnormalClosure, ""); err == nil || errors.Is(err, sdk.ErrClosed) {
		t.Errorf("Close(1006) = %v, want a refusal that leaves the Conn open", err)
	}
	if err := c.Close(sdk.StatusNormalClosure, strings.Repeat("r", 124)); err == nil {
		t.Error("Close with a 124-byte reason succeeded, want a refusal")
	}
	echo(t, c, "still open after refused calls")
}

func TestSubprotocolAgreed(t *testing.T) {
	f := newFixture(t)
	o := fast(nil)
	o.Subprotocols = []string{"nope", "chat"}
	c := dial(t, f.url("/echo"), o)
	if c.Subprotocol() != "chat" {
		t.Fatalf("Subprotocol = %q, want chat", c.Subprotocol())
	}
	if hs := c.Handshake(); hs.Subprotocol != "chat" {
		t.Fatalf("Handshake().Subprotocol = %q", hs.Subprotocol)
	}
	if u := f.lastUpgrade(); strings.Join(u.Protocols, ",") != "nope,chat" {
		t.Fatalf("server saw protocols %q, want [nope chat] in order", u.Protocols)
	}
	echo(t, c, "with protocol")
}

// TestHandshakeVisible: natively Conn.Handshake shows the request and the
// 101 and matches what the server saw; in the browser only URL, Protocols
// and Subprotocol are there, and the server's report is what a page checks.
func TestHandshakeVisible(t *testing.T) {
	f := newFixture(t)
	o := fast(nil)
	o.Subprotocols = []string{"redial.v1"}
	url := f.url("/echo?hs=1")
	c := dial(t, url, o)
	hs := c.Handshake()
	srv := f.lastUpgrade()
	if srv.Version != "13" || srv.Key == "" || srv.Accept != wsaccept.Accept(srv.Key) {
		t.Fatalf("server saw version %q key %q accept %q; want 13 and accept = base64(SHA-1(key+GUID))", srv.Version, srv.Key, srv.Accept)
	}
	if srv.RawQuery != "hs=1" || srv.Path != "/echo" {
		t.Fatalf("server saw %s?%s, want /echo?hs=1", srv.Path, srv.RawQuery)
	}
	if hs.URL != url || hs.Subprotocol != "redial.v1" || strings.Join(hs.Protocols, ",") != "redial.v1" {
		t.Fatalf("Handshake = URL %q protocols %q subprotocol %q", hs.URL, hs.Protocols, hs.Subprotocol)
	}
	if inBrowser {
		if hs.Key != "" || hs.Accept != "" || hs.StatusCode != 0 {
			t.Fatalf("browser Handshake has key %q accept %q status %d, which JS cannot see", hs.Key, hs.Accept, hs.StatusCode)
		}
		return
	}
	if hs.Key != srv.Key || hs.Version != "13" || hs.StatusCode != 101 {
		t.Fatalf("Handshake key %q version %q status %d; server saw key %q", hs.Key, hs.Version, hs.StatusCode, srv.Key)
	}
	if hs.Accept != srv.Accept || !hs.AcceptValid || hs.Accept != wsaccept.Accept(hs.Key) {
		t.Fatalf("Handshake accept %q valid %v; server sent %q", hs.Accept, hs.AcceptValid, srv.Accept)
	}
}

func TestHeaderSentNatively(t *testing.T) {
	skipInBrowser(t, "a page cannot set handshake headers; Options.Header is a documented no-op (see sdk/doc.go)")
	f := newFixture(t)
	o := fast(nil)
	o.Header = map[string][]string{"Authorization": {"Bearer abc"}}
	c := dial(t, f.url("/header?token=t1"), o)
	_, p, err := c.Read(ctxT(t))
	if err != nil || string(p) != "auth=Bearer abc token=t1" {
		t.Fatalf("server saw %q %v, want auth=Bearer abc token=t1", p, err)
	}
}
