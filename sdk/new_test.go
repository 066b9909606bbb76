package sdk_test

import (
	"errors"
	"testing"

	"github.com/redial-ws/redial/sdk"
)

// TestNewReturnsAtOnce: New never waits for the network. Against a port
// where nothing listens it returns the Conn at once; Writes queue while it
// connects; Close stops the attempts; a URL or option no attempt could fix
// is refused up front, typed.
func TestNewReturnsAtOnce(t *testing.T) {
	s := startServer(t)
	o := fast(nil)
	rec := newRecorder(o)
	c, err := sdk.New(s.URL("/echo"), o)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Write(ctxT(t), sdk.MessageText, []byte("queued before the open")); err != nil {
		t.Fatal(err)
	}
	rec.Next(t, "open", to(sdk.StateOpen))
	if _, p, err := c.Read(ctxT(t)); err != nil || string(p) != "queued before the open" {
		t.Fatalf("Read = %q, %v", p, err)
	}
	if err := c.Close(sdk.StatusNormalClosure, ""); err != nil {
		t.Fatal(err)
	}

	if _, err := sdk.New("ftp://example.com/", nil); !errors.As(err, new(*sdk.URLError)) {
		t.Fatalf("New(ftp URL) = %v, want a *URLError", err)
	}
	if _, err := sdk.New(s.URL("/echo"), &sdk.Options{MaxQueued: -1}); !errors.As(err, new(*sdk.OptionError)) {
		t.Fatalf("New(MaxQueued -1) = %v, want an *OptionError", err)
	}

	// Nothing listens: New still returns at once; Close ends the attempts.
	o = fast(nil)
	rec = newRecorder(o)
	c, err = sdk.New("ws://127.0.0.1:1/", o)
	if err != nil {
		t.Fatal(err)
	}
	rec.Next(t, "a failed attempt", to(sdk.StateReconnecting))
	if err := c.Close(sdk.StatusNormalClosure, ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Read(ctxT(t)); !errors.Is(err, sdk.ErrClosed) {
		t.Fatalf("Read after Close = %v, want ErrClosed", err)
	}
}
