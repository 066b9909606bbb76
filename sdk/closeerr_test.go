package sdk_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redial-ws/redial/sdk"
)

// TestBadInputErrorsAreTyped: every refusal of bad input matches a
// documented sentinel (errors.Is), and a refused Close closes nothing.
// Issue 8 §6: Close(1000, "bye \xff\xfe") returned nil and put invalid
// UTF-8 on the wire (RFC 6455 §5.5.1).
func TestBadInputErrorsAreTyped(t *testing.T) {
	s := startServer(t)
	o := fast(nil)
	o.MaxQueuedBytes = 64
	c := dial(t, s.URL("/echo"), o)
	var nilCtx context.Context
	cases := []struct {
		name string
		err  func() error
		want error
	}{
		{"Read nil ctx", func() error { _, _, err := c.Read(nilCtx); return err }, sdk.ErrNilContext},
		{"Write nil ctx", func() error { return c.Write(nilCtx, sdk.MessageText, nil) }, sdk.ErrNilContext},
		{"Write type 0", func() error { return c.Write(ctxT(t), 0, nil) }, sdk.ErrInvalidMessageType},
		{"Write type 9 (ping)", func() error { return c.Write(ctxT(t), 9, nil) }, sdk.ErrInvalidMessageType},
		{"Write too big", func() error { return c.Write(ctxT(t), sdk.MessageBinary, make([]byte, 65)) }, sdk.ErrMessageTooBig},
		{"Dial nil ctx", func() error { _, err := sdk.Dial(nilCtx, s.URL("/echo"), nil); return err }, sdk.ErrNilContext},
	}
	for _, code := range []sdk.StatusCode{0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535} {
		cases = append(cases, struct {
			name string
			err  func() error
			want error
		}{"Close code " + code.String(), func() error { return c.Close(code, "") }, sdk.ErrInvalidCloseCode})
	}
	for name, reason := range map[string]string{
		"124 bytes":               strings.Repeat("é", 62),
		"invalid UTF-8 (issue 8)": "bye \xff\xfe",
		"lone continuation byte":  "a\x80b",
		"truncated 3-byte char":   "euro \xe2\x82",
		"overlong encoding":       "\xc0\xaf",
		"UTF-16 surrogate":        "\xed\xa0\x80",
		"beyond U+10FFFF":         "\xf4\x90\x80\x80",
	} {
		cases = append(cases, struct {
			name string
			err  func() error
			want error
		}{"Close reason " + name, func() error { return c.Close(sdk.StatusNormalClosure, reason) }, sdk.ErrInvalidCloseReason})
	}
	for _, tc := range cases {
		err := tc.err()
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want it to match %v", tc.name, err, tc.want)
			continue
		}
		if !strings.HasPrefix(err.Error(), tc.want.Error()) {
			t.Errorf("%s: err %q does not begin with %q", tc.name, err, tc.want)
		}
	}
	if c.State() != sdk.StateOpen {
		t.Fatalf("a refused Close changed the state to %v", c.State())
	}
	echo(t, c, "still open")
	// A 123-byte reason of multibyte characters, valid UTF-8, is sent.
	if err := c.Close(4000, strings.Repeat("€", 41)); err != nil {
		t.Fatalf("Close with 123 valid bytes: %v", err)
	}
	if err := c.Close(sdk.StatusNormalClosure, ""); !errors.Is(err, sdk.ErrClosed) {
		t.Errorf("second Close = %v, want ErrClosed", err)
	}
}

// TestCloseWaitsForStateClosed: a Close from another goroutine while the
// OnStateChange callback runs returns only after the final StateClosed was
// delivered (issue 8 §6: one inCallback flag for all goroutines let it
// return early). A Close from inside the callback is
// test/conformance's TestCloseFromStateCallback.
func TestCloseWaitsForStateClosed(t *testing.T) {
	s := startServer(t)
	entered, release := make(chan struct{}), make(chan struct{})
	var closedSeen atomic.Bool
	o := fast(nil)
	o.OnStateChange = func(e sdk.StateChange) {
		switch e.To {
		case sdk.StateOpen:
			close(entered)
			<-release // the app's callback is busy
		case sdk.StateClosed:
			closedSeen.Store(true)
		}
	}
	c, err := sdk.Dial(ctxT(t), s.URL("/echo"), o)
	if err != nil {
		t.Fatal(err)
	}
	<-entered
	closed := make(chan error, 1)
	go func() { closed <- c.Close(sdk.StatusNormalClosure, "") }()
	// Read ends once the Conn reached its final close, which is when the
	// old Close stopped waiting: give it a moment to return wrongly.
	if _, _, err := c.Read(ctxT(t)); !errors.Is(err, sdk.ErrClosed) {
		t.Fatalf("Read = %v", err)
	}
	select {
	case err := <-closed:
		close(release)
		t.Fatalf("Close returned (%v) while the callback still ran; StateClosed delivered: %v", err, closedSeen.Load())
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
		if !closedSeen.Load() {
			t.Fatal("Close returned before StateClosed was delivered")
		}
	case <-time.After(testTimeout):
		t.Fatal("Close hung after the callback returned")
	}
}

// TestCloseAgainstStalledPeer: a peer that stopped reading (its TCP window
// full) bounds Close at closeFlushTimeout + closeHandshakeTimeout (4 s,
// documented on Close; it took ~7 s), and a Write waiting for room in the
// queue returns an ErrClosed error as soon as Close is called, instead of
// when Close ends. Two members: a small queue that drains into the
// kernel's buffers (the close frame's write is what blocks), and a queue
// too big to drain (the flush times out with messages unsent).
func TestCloseAgainstStalledPeer(t *testing.T) {
	for _, tc := range []struct {
		name   string
		queue  int
		unsent bool
	}{
		{"close frame stuck", 256 << 10, false},
		{"queue stuck", 48 << 20, true},
	} {
		t.Run(tc.name, func(t *testing.T) { closeStalled(t, tc.queue, tc.unsent) })
	}
}

func closeStalled(t *testing.T, queue int, wantUnsent bool) {
	s := startServer(t)
	o := fast(nil)
	o.MaxQueuedBytes = queue
	c, err := sdk.Dial(ctxT(t), s.URL("/stall"), o)
	if err != nil {
		t.Fatal(err)
	}
	// Fill the socket buffers and then the queue: a Write whose ctx has
	// already ended returns ctx.Err() only when there is no room.
	msg := make([]byte, 64<<10)
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for i := 0; ; i++ {
		err := c.Write(done, sdk.MessageBinary, msg)
		if errors.Is(err, context.Canceled) {
			break
		}
		if err != nil || i > 100000 {
			t.Fatalf("filling the queue: write %d: %v", i, err)
		}
	}
	writerDone := make(chan time.Time, 1)
	writerErr := make(chan error, 1)
	go func() {
		err := c.Write(ctxT(t), sdk.MessageBinary, msg) // blocks: the queue is full
		writerDone <- time.Now()
		writerErr <- err
	}()
	start := time.Now()
	err = c.Close(sdk.StatusNormalClosure, "")
	took := time.Since(start)
	var ue *sdk.UnsentError
	if unsent := errors.As(err, &ue); err != nil && !unsent || wantUnsent && !unsent {
		t.Errorf("Close = %v, want nil or an *UnsentError (want one: %v)", err, wantUnsent)
	}
	const bound = 4 * time.Second // closeFlushTimeout + closeHandshakeTimeout
	if took > bound+time.Second {
		t.Errorf("Close took %v, want at most %v", took, bound)
	}
	select {
	case at := <-writerDone:
		if d := at.Sub(start); d > time.Second {
			t.Errorf("the blocked Write returned %v after Close was called, want at once", d)
		}
		if err := <-writerErr; !errors.Is(err, sdk.ErrClosed) {
			t.Errorf("blocked Write = %v, want ErrClosed", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("the blocked Write never returned")
	}
	t.Logf("Close against a stalled peer took %v (%v)", took.Round(time.Millisecond), err)
}
