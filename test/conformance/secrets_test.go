package conformance_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/redial-ws/redial/sdk"
)

// printed collects everything a Conn printed: log records, events and
// errors. It is an sdk.Logger (the browser build has no log/slog).
type printed struct {
	mu sync.Mutex
	b  strings.Builder
}

func (p *printed) add(what string, v ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintln(&p.b, append([]any{what}, v...)...)
}
func (p *printed) Debug(msg string, args ...any) { p.add(msg, args...) }
func (p *printed) Warn(msg string, args ...any)  { p.add(msg, args...) }
func (p *printed) Error(msg string, args ...any) { p.add(msg, args...) }

func (p *printed) text() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.b.String()
}

// TestSecretsNotPrinted is issue 8 §3 on both platforms: a refused
// connection to a URL with a password and a token in its query prints
// neither, in the log, the events or the error Dial returns. In the
// browser this is the same redaction (sdk.RedactURL, compiled into the
// wasm build) applied to what the browser's WebSocket reports.
func TestSecretsNotPrinted(t *testing.T) {
	f := newFixture(t)
	f.stop() // connections refused
	u := strings.Replace(f.url("/echo?token=SECRET&k=SECRET2"), "ws://", "ws://user:PASSWORD@", 1)
	var out printed
	o := fast(nil)
	o.MaxRetries = 2
	o.Logger = &out
	o.OnStateChange = func(e sdk.StateChange) { out.add("event", e, e.Err) }
	c, err := sdk.Dial(ctxT(t), u, o)
	if c != nil || err == nil {
		t.Fatalf("Dial = %v, %v; want an error", c, err)
	}
	var de *sdk.DialError
	var ue *sdk.URLError
	if !errors.As(err, &de) && !errors.As(err, &ue) {
		t.Errorf("Dial = %T %v, want a *DialError (or the browser's *URLError) in the chain", err, err)
	}
	out.add("Dial", err)
	text := out.text()
	if !strings.Contains(text, "token=xxxxx") {
		t.Errorf("the redacted URL was never printed:\n%s", text)
	}
	for _, s := range []string{"SECRET", "PASSWORD"} {
		if strings.Contains(text, s) {
			t.Errorf("%q was printed:\n%s", s, text)
		}
	}
}

// TestCloseRefusesInvalidUTF8 is issue 8 §6: a close reason that is not
// valid UTF-8 (RFC 6455 §5.5.1) is refused with ErrInvalidCloseReason and
// closes nothing; natively it went on the wire, in the browser the server
// saw 1005.
func TestCloseRefusesInvalidUTF8(t *testing.T) {
	f := newFixture(t)
	c := dial(t, f.url("/echo"), fast(nil))
	for _, r := range []string{"bye \xff\xfe", "a\x80", "\xe2\x82", "\xed\xa0\x80"} {
		if err := c.Close(sdk.StatusNormalClosure, r); !errors.Is(err, sdk.ErrInvalidCloseReason) {
			t.Errorf("Close(1000, %q) = %v, want ErrInvalidCloseReason", r, err)
		}
	}
	echo(t, c, "still open")
	// A mapped code with a reason that fills the frame: the browser build
	// puts "1008 " at its head and cuts it on a character boundary.
	if err := c.Close(sdk.StatusPolicyViolation, strings.Repeat("€", 41)); err != nil {
		t.Fatal(err)
	}
	f.waitLive(0)
}
