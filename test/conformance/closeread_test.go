package conformance_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redial-ws/redial/sdk"
)

// TestReadAfterAppClose: after the app's own Close, Read returns an error
// matching ErrClosed at once; what was received and not read is
// discarded (as a browser WebSocket fires no message after close()).
// Nine echoes are unread when Close is called; the close handshake
// completes only after the reader took them off the socket, so all nine
// were buffered. Before the fix Read handed them over (a tester saw "17
// of 50" with a ticker, depending on timing).
func TestReadAfterAppClose(t *testing.T) {
	f := newFixture(t)
	c := dial(t, f.url("/echo"), fast(nil))
	for i := 1; i <= 10; i++ {
		if err := c.Write(ctxT(t), sdk.MessageText, []byte(strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	if _, m, err := c.Read(ctxT(t)); err != nil || string(m) != "1" {
		t.Fatalf("Read = %q, %v; want the first echo", m, err)
	}
	if err := c.Close(sdk.StatusNormalClosure, ""); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		_, m, err := c.Read(ctxT(t))
		if !errors.Is(err, sdk.ErrClosed) {
			t.Fatalf("Read %d after Close = %q, %v; want an error matching ErrClosed at once", i, m, err)
		}
	}
	done, cancel := context.WithCancel(context.Background())
	cancel() // a done ctx: Read takes what is ready without waiting
	if _, m, err := c.Read(done); !errors.Is(err, sdk.ErrClosed) {
		t.Fatalf("Read with a done ctx after Close = %q, %v; want an error matching ErrClosed", m, err)
	}
}

// TestReadAfterServerClose: a final close by the server still delivers
// every message received before it, then the close.
func TestReadAfterServerClose(t *testing.T) {
	f := newFixture(t)
	o := fast(nil)
	rec := newRecorder(o)
	c := dial(t, f.url("/closeafter?n=10&code=1008"), o)
	rec.Next(t, "final close", to(sdk.StateClosed)) // 10 fit the buffer: all read off the socket
	for i := 1; i <= 10; i++ {
		_, m, err := c.Read(ctxT(t))
		if err != nil || string(m) != strconv.Itoa(i) {
			t.Fatalf("message %d: %q, %v", i, m, err)
		}
	}
	_, _, err := c.Read(ctxT(t))
	wantClose(t, err, sdk.StatusPolicyViolation)
}

// TestConcurrentCloseWaits: of 10 goroutines calling Close at once, one
// gets nil and the others an error matching ErrClosed, and every one
// returns only after StateClosed was delivered. Before the fix the nine
// losers returned at once.
func TestConcurrentCloseWaits(t *testing.T) {
	f := newFixture(t)
	for round := 0; round < 5; round++ {
		o := fast(nil)
		var delivered atomic.Bool
		o.OnStateChange = func(e sdk.StateChange) {
			if e.To == sdk.StateClosed {
				time.Sleep(20 * time.Millisecond) // a slow callback: the losers must wait it out
				delivered.Store(true)
			}
		}
		c := dial(t, f.url("/echo"), o)
		var wg sync.WaitGroup
		var nils atomic.Int32
		for i := 0; i < 10; i++ {
			wg.Go(func() {
				err := c.Close(sdk.StatusNormalClosure, "")
				switch {
				case err == nil:
					nils.Add(1)
				case !errors.Is(err, sdk.ErrClosed):
					t.Errorf("concurrent Close: %v", err)
				}
				if !delivered.Load() {
					t.Errorf("round %d: Close returned (%v) before StateClosed was delivered", round, err)
				}
			})
		}
		wg.Wait()
		if nils.Load() != 1 {
			t.Errorf("round %d: %d Closes returned nil, want 1", round, nils.Load())
		}
	}
}

// TestCloseInsideCallbackWhileClosing: a Close from inside OnStateChange
// while another goroutine's Close runs returns (the callback must not
// wait for itself), and so does the outer one.
func TestCloseInsideCallbackWhileClosing(t *testing.T) {
	f := newFixture(t)
	o := fast(nil)
	var cp atomic.Pointer[sdk.Conn]
	inner := make(chan error, 1)
	o.OnStateChange = func(e sdk.StateChange) {
		if c := cp.Load(); c != nil && e.To == sdk.StateClosed {
			inner <- c.Close(sdk.StatusNormalClosure, "from callback")
		}
	}
	c := dial(t, f.url("/echo"), o)
	cp.Store(c)
	if err := c.Close(sdk.StatusNormalClosure, ""); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-inner:
		if !errors.Is(err, sdk.ErrClosed) {
			t.Fatalf("Close inside the callback = %v, want ErrClosed", err)
		}
	case <-ctxT(t).Done():
		t.Fatal("Close inside the callback did not return")
	}
}
