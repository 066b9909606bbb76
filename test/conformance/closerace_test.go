package conformance_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redial-ws/redial/internal/sdktest"
	"github.com/redial-ws/redial/sdk"
)

// Issue 8 §2, "data already received, thrown away" (and the close code
// lost with it): the server sends n messages and closes while the client
// is writing. The writer then fails (natively coder/websocket answers the
// close frame and closes the socket before its Read returns; in the
// browser readyState leaves OPEN before the close event), and that failure
// must not decide how the connection ended: the reader still has messages
// and the server's close frame to read.

// closeAfterURL: the server sends "1" … "n" (padded to size bytes), then
// closes with code and reason.
func (f *fixture) closeAfterURL(n, size int, code sdk.StatusCode, reason string) string {
	return f.url(fmt.Sprintf("/closeafter?n=%d&size=%d&code=%d&reason=%s", n, size, code, url.QueryEscape(reason)))
}

// flood writes 1 KiB binary messages (the server records only text) until
// Write fails: with ErrClosed once the Conn ended for good (a Write
// waiting for room when the connection ends waits for the policy's
// verdict), or with ErrQueueFull when the queue is full while it
// reconnects. The returned channel gives that error.
func flood(ctx context.Context, c *sdk.Conn) <-chan error {
	done := make(chan error, 1)
	p := make([]byte, 1024)
	go func() {
		for {
			if err := c.Write(ctx, sdk.MessageBinary, p); err != nil {
				done <- err
				return
			}
		}
	}()
	return done
}

// readAll reads until Read fails, checking the messages are "1" … in order.
func readAll(t *testing.T, c *sdk.Conn) (int, error) {
	t.Helper()
	for i := 1; ; i++ {
		_, p, err := c.Read(ctxT(t))
		if err != nil {
			return i - 1, err
		}
		if got := strings.TrimRight(string(p), "."); got != strconv.Itoa(i) {
			t.Fatalf("message %d is %q: lost or out of order", i, got)
		}
	}
}

// wantFinalClose checks the Conn ended once, for good, with the server's
// close (code, reason), after all n messages, with no reconnect.
func wantFinalClose(t *testing.T, f *fixture, c *sdk.Conn, rec *sdktest.Recorder, n int, code sdk.StatusCode, reason string, local bool) {
	t.Helper()
	got, err := readAll(t, c)
	ce := wantClose(t, err, code)
	if ce.Reason != reason || ce.Local != local {
		t.Fatalf("Read's close = %+v, want code %d reason %q local %v: the writer's failure decided", ce, code, reason, local)
	}
	if got != n {
		t.Fatalf("read %d messages before the close, want %d", got, n)
	}
	e := rec.Next(t, "reconnecting or closed", toAny(sdk.StateReconnecting, sdk.StateClosed))
	if e.To != sdk.StateClosed || !e.Final || e.Close == nil || e.Close.Code != code {
		t.Fatalf("event %+v (close %+v), want the final close %d", e, e.Close, code)
	}
	if a := f.accepted(); a != 1 {
		t.Fatalf("server accepted %d upgrades, want 1: the final %d was retried", a, code)
	}
}

// TestServerCloseWhileWriting: the example. A final 1008 stays a final
// 1008 (natively it became a retried 1006 with "failed to write"), with
// every message before it.
func TestServerCloseWhileWriting(t *testing.T) {
	for _, n := range []int{0, 1, 200} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			f := newFixture(t)
			o := fast(nil)
			rec := newRecorder(o)
			c := dial(t, f.closeAfterURL(n, 0, sdk.StatusPolicyViolation, "policy"), o)
			w := flood(ctxT(t), c)
			wantFinalClose(t, f, c, rec, n, sdk.StatusPolicyViolation, "policy", false)
			// Not ErrQueueFull "…queued while open": the close was final.
			var ce *sdk.CloseError
			if err := <-w; !errors.Is(err, sdk.ErrClosed) || !errors.As(err, &ce) || ce.Code != sdk.StatusPolicyViolation {
				t.Fatalf("Write after the final close: %v, want ErrClosed with the server's 1008", err)
			}
		})
	}
}

// TestServerCloseWhileWritingAppSlow: the app reads nothing until the Conn
// ended. The reader, blocked on the app, has not reached the close frame
// when the writer fails; it must read on (keeping what it reads) rather
// than be cut off.
func TestServerCloseWhileWritingAppSlow(t *testing.T) {
	const n = 100 // more than the Conn's incoming buffer
	f := newFixture(t)
	o := fast(nil)
	rec := newRecorder(o)
	c := dial(t, f.closeAfterURL(n, 0, sdk.StatusPolicyViolation, "slow"), o)
	w := flood(ctxT(t), c)
	if err := <-w; !errors.Is(err, sdk.ErrClosed) { // the final close: only then does the app read
		t.Fatalf("Write after the final close: %v, want ErrClosed", err)
	}
	wantFinalClose(t, f, c, rec, n, sdk.StatusPolicyViolation, "slow", false)
}

// TestServerCloseWhileWritingRetried: a close the policy retries keeps its
// code and reason too (1001 "going away", not a 1006 with a write error),
// so a policy that reads them (a 1013's "try again later") sees them.
func TestServerCloseWhileWritingRetried(t *testing.T) {
	f := newFixture(t)
	o := fast(nil)
	rec := newRecorder(o)
	c := dial(t, f.closeAfterURL(50, 0, sdk.StatusGoingAway, "restart"), o)
	ctx, stop := context.WithCancel(ctxT(t))
	w := flood(ctx, c)
	for i := 1; i <= 50; i++ {
		if _, p, err := c.Read(ctxT(t)); err != nil || string(p) != strconv.Itoa(i) {
			t.Fatalf("Read %d = %q, %v", i, p, err)
		}
	}
	e := rec.Next(t, "reconnecting", toAny(sdk.StateReconnecting, sdk.StateClosed))
	stop()
	<-w
	if e.To != sdk.StateReconnecting || e.Close == nil || e.Close.Code != sdk.StatusGoingAway || e.Close.Reason != "restart" {
		t.Fatalf("event %+v (close %+v), want reconnecting after the server's 1001 \"restart\"", e, e.Close)
	}
}

// TestReadLimitWhileWriting: a message over ReadLimit ends the connection
// with a local 1009, final; the writer's failure (the socket this side just
// closed) must not turn it into a retried 1006.
func TestReadLimitWhileWriting(t *testing.T) {
	f := newFixture(t)
	o := fast(nil)
	o.ReadLimit = 4096
	rec := newRecorder(o)
	c := dial(t, f.closeAfterURL(3, 8192, sdk.StatusNormalClosure, ""), o)
	w := flood(ctxT(t), c)
	wantFinalClose(t, f, c, rec, 0, sdk.StatusMessageTooBig, "message over Options.ReadLimit", true)
	<-w
}

// TestWriteWaitsForVerdict: between a connection's end and the policy's
// verdict, a Write on a full queue waits for the verdict: a final close
// gives its error, not ErrQueueFull "…queued while open" (the last helper
// found that). The policy is held until the flood had time to fill the
// queue; every Write then finds it full.
func TestWriteWaitsForVerdict(t *testing.T) {
	f := newFixture(t)
	o := fast(nil)
	o.MaxQueued = 4
	called := make(chan struct{})
	release := make(chan struct{})
	decide := sync.OnceFunc(func() { close(release) })
	o.Policy = func(rc sdk.RetryContext) (time.Duration, bool) {
		close(called)
		<-release
		return 0, false
	}
	c := dial(t, f.closeAfterURL(0, 0, sdk.StatusPolicyViolation, "final"), o)
	t.Cleanup(decide) // before dial's Close: a failed test must not leave the policy waiting
	w := flood(ctxT(t), c)
	select {
	case <-called:
	case <-ctxT(t).Done():
		t.Fatal("the policy was not called")
	}
	// The queue is full now or soon (4 messages, no writer): a Write that
	// fails during the window fails here.
	select {
	case err := <-w:
		t.Fatalf("Write returned %v before the policy decided", err)
	case <-time.After(50 * time.Millisecond): // the flood's time to fill the queue
	}
	decide()
	var ce *sdk.CloseError
	if err := <-w; !errors.Is(err, sdk.ErrClosed) || !errors.As(err, &ce) || ce.Code != sdk.StatusPolicyViolation {
		t.Fatalf("Write = %v, want ErrClosed with the server's 1008", err)
	}
}
