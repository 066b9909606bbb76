package conformance_test

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redial-ws/redial/sdk"
)

// TestConcurrentUse: several goroutines write while one reads and others
// poll the accessors; the connection is dropped mid-way and reconnects,
// then Close ends it under load. Per writer, what arrives is in order (the
// queue is FIFO; without resume, messages in flight at the drop may be
// lost but never reordered or duplicated), every goroutine ends, and
// after Close every call fails with ErrClosed.
func TestConcurrentUse(t *testing.T) {
	f := newFixture(t)
	o := fast(nil)
	rec := newRecorder(o)
	c := dial(t, f.url("/echo"), o) // its cleanup's Close also stops every goroutine here
	rec.Next(t, "open", to(sdk.StateOpen))

	ctx := ctxT(t)
	const writers = 4
	closed := make(chan struct{})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := 0; ; i++ {
				err := c.Write(ctx, sdk.MessageText, []byte(fmt.Sprintf("%d-%d", w, i)))
				switch {
				case err == nil, errors.Is(err, sdk.ErrQueueFull): // full while down: move on
				case errors.Is(err, sdk.ErrClosed):
					return
				default:
					t.Errorf("writer %d: Write %d: %v", w, i, err)
					return
				}
				// Pace the writers. Under js/wasm there is one thread: the Go
				// runtime hands it back to the page (and so delivers
				// onmessage and fetch replies) only while every goroutine
				// is blocked, and a Write that finds room never blocks.
				// TestBusyWriterDoesNotStarveRead is about exactly that.
				time.Sleep(time.Millisecond)
			}
		})
	}

	dropAt, closeAfter := 200, 300 // messages read before the drop; after the reopen
	dropNow := make(chan struct{})
	reopened := make(chan struct{})
	closeNow := make(chan struct{})
	var readErr error
	wg.Go(func() {
		last := make([]int, writers)
		for i := range last {
			last[i] = -1
		}
		n, afterReopen := 0, -1
		for {
			_, p, err := c.Read(ctx)
			if err != nil {
				readErr = err
				return
			}
			w, i, ok := parseMsg(string(p))
			if !ok || w >= writers {
				t.Errorf("read unexpected message %q", p)
				return
			}
			if i <= last[w] {
				t.Errorf("writer %d: message %d arrived after %d (reordered or duplicated)", w, i, last[w])
				return
			}
			last[w] = i
			if n++; n == dropAt {
				close(dropNow)
			}
			if afterReopen < 0 {
				select {
				case <-reopened:
					afterReopen = 0
				default:
				}
			} else if afterReopen++; afterReopen == closeAfter {
				close(closeNow)
			}
		}
	})
	wg.Go(func() {
		for {
			select {
			case <-closed:
				return
			default:
			}
			_ = c.State()
			_ = c.Handshake()
			_ = c.Subprotocol()
			time.Sleep(time.Millisecond) // accessor polling pace, not a wait
		}
	})

	wait := func(ch <-chan struct{}, what string) bool {
		t.Helper()
		select {
		case <-ch:
			return true
		case <-time.After(testTimeout):
			t.Errorf("timed out waiting for %s", what)
			return false
		}
	}
	if wait(dropNow, fmt.Sprintf("%d echoes before the drop", dropAt)) {
		f.drop()
		rec.Next(t, "reconnecting after the drop", to(sdk.StateReconnecting))
		rec.Next(t, "reopen", to(sdk.StateOpen))
		close(reopened)
		wait(closeNow, fmt.Sprintf("%d echoes after the reopen", closeAfter))
	}
	if err := c.Close(sdk.StatusNormalClosure, "under load"); err != nil {
		var ue *sdk.UnsentError // writers race Close: some may be left queued
		if !errors.As(err, &ue) {
			t.Errorf("Close under load: %v", err)
		}
	}
	close(closed)
	wg.Wait()
	if ce := wantClose(t, readErr, sdk.StatusNormalClosure); !ce.Local {
		t.Fatalf("reader ended with %+v, want the local close", ce)
	}
	if err := c.Write(ctxT(t), sdk.MessageText, []byte("late")); !errors.Is(err, sdk.ErrClosed) {
		t.Fatalf("Write after Close = %v, want ErrClosed", err)
	}
	if n := f.accepted(); n != 2 {
		t.Fatalf("server accepted %d connections, want 2", n)
	}
	// The server got each writer's messages in order too.
	last := make([]int, writers)
	for i := range last {
		last[i] = -1
	}
	for _, m := range f.received("/echo") {
		w, i, ok := parseMsg(m)
		if !ok || w >= writers || i <= last[w] {
			t.Fatalf("server received %q out of order (last of writer: %v)", m, last)
		}
		last[w] = i
	}
}

func parseMsg(s string) (w, i int, ok bool) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, false
	}
	w, err1 := strconv.Atoi(a)
	i, err2 := strconv.Atoi(b)
	return w, i, err1 == nil && err2 == nil && w >= 0
}

// TestBusyWriterDoesNotStarveRead: while one goroutine writes as fast as
// Write lets it, echoes still reach Read.
func TestBusyWriterDoesNotStarveRead(t *testing.T) {
	f := newFixture(t)
	c := dial(t, f.url("/echo"), fast(nil))
	ctx := ctxT(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	defer wg.Wait()
	defer close(stop)
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := c.Write(ctx, sdk.MessageText, []byte(strconv.Itoa(i))); err != nil {
				if !errors.Is(err, sdk.ErrClosed) {
					t.Errorf("Write %d: %v", i, err)
				}
				return
			}
		}
	})
	for i := range 100 {
		_, p, err := c.Read(ctx)
		if err != nil || string(p) != strconv.Itoa(i) {
			t.Fatalf("echo %d while a writer is busy = %q, %v", i, p, err)
		}
	}
}
