package conformance_test

import (
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redial-ws/redial/sdk"
)

// resumeStats mirrors testserver.ResumeStats.
type resumeStats struct {
	Sessions, Got, Violations int
	First                     string
}

// TestResumeExactlyOnceAcrossDrops: sdk.Conn{Resume: true} against the
// testserver's /resume/echo (a server.New handler) writes 2,000 numbered
// messages and reads their echoes while the server cuts the connection
// (/drop: no close frame) 100 times, spread over the stream: both
// directions at once, 0 lost, 0 duplicated, in order, counted by the
// app here and by the handler there. Natively and in Chromium.
func TestResumeExactlyOnceAcrossDrops(t *testing.T) {
	const n, cuts, window = 2000, 100, 32
	f := newFixture(t)
	opened := make(chan struct{}, 1)
	var opens atomic.Int64
	o := fast(&sdk.Options{Resume: true})
	o.OnStateChange = func(e sdk.StateChange) {
		if e.To == sdk.StateOpen {
			opens.Add(1)
			select {
			case opened <- struct{}{}:
			default:
			}
		}
	}
	c := dial(t, f.url("/resume/echo"), o)
	ctx := ctxT(t)
	var wg sync.WaitGroup
	defer wg.Wait()
	step := int64(n) * 9 / 10 / cuts
	var got, allowed atomic.Int64
	allowed.Store(step + window)
	progress := make(chan struct{}, 1)
	wg.Go(func() {
		for i := 0; i < n; {
			// At most window messages ahead of the echoes and of the next
			// cut, so the stream spreads over the cuts and each cut finds
			// messages in flight.
			for int64(i)-got.Load() >= window || int64(i) >= allowed.Load() {
				select {
				case <-progress:
				case <-ctx.Done():
					return
				}
			}
			err := c.Write(ctx, sdk.MessageText, []byte("c"+strconv.Itoa(i)))
			switch {
			case err == nil:
				i++
			case errors.Is(err, sdk.ErrQueueFull): // down and full: wait for the next open
				select {
				case <-opened:
				case <-time.After(5 * time.Millisecond):
				case <-ctx.Done():
					return
				}
			default:
				t.Errorf("Write %d: %v", i, err)
				return
			}
		}
	})
	var bad atomic.Pointer[string]
	readDone := make(chan struct{})
	wg.Go(func() {
		defer close(readDone)
		for got.Load() < n {
			_, p, err := c.Read(ctx)
			if err != nil {
				msg := "Read: " + err.Error()
				bad.CompareAndSwap(nil, &msg)
				return
			}
			if want := "c" + strconv.FormatInt(got.Load(), 10); string(p) != want {
				msg := "echo " + strconv.Quote(string(p)) + ", want " + want
				bad.CompareAndSwap(nil, &msg)
			}
			got.Add(1)
			select {
			case progress <- struct{}{}:
			default:
			}
		}
	})
	for i := range cuts {
		for got.Load() < int64(i+1)*step || opens.Load() <= int64(i) || c.State() != sdk.StateOpen {
			select {
			case <-opened:
			case <-readDone:
				t.Fatalf("cut %d: the reader stopped at %d: %v", i, got.Load(), bad.Load())
			case <-time.After(2 * time.Millisecond):
			case <-ctx.Done():
				t.Fatalf("cut %d: stuck at %d echoes", i, got.Load())
			}
		}
		f.drop()
		allowed.Store(int64(i+2)*step + window)
		select { // wake the writer
		case progress <- struct{}{}:
		default:
		}
	}
	allowed.Store(n)
	select {
	case progress <- struct{}{}:
	default:
	}
	select {
	case <-readDone:
	case <-ctx.Done():
		t.Fatalf("got %d of %d echoes", got.Load(), n)
	}
	if p := bad.Load(); p != nil {
		t.Fatal(*p)
	}
	if err := c.Close(sdk.StatusNormalClosure, ""); err != nil {
		t.Fatalf("Close: %v", err)
	}
	var st resumeStats
	f.callJSON("/resumestats", nil, &st)
	if st.Sessions != 1 || st.Got != n || st.Violations != 0 {
		t.Fatalf("server: %+v; want 1 session, %d messages, 0 violations", st, n)
	}
	t.Logf("%d messages each way, %d cuts, %d connections: 0 lost, 0 duplicated, in order", n, cuts, opens.Load())
}

// TestResumeStallDetected: in resume mode the heartbeat is the protocol's
// PING/PONG, so a stalled socket (TCP up, nothing moving: /stallall) is
// declared dead within 2 × HeartbeatInterval + min(interval/2, 10 s) in
// the browser too, where plain mode has no ping (with Resume false this
// test times out in Chromium: checked); the session goes on on the next
// connection.
func TestResumeStallDetected(t *testing.T) {
	f := newFixture(t)
	const iv = 200 * time.Millisecond
	o := fast(&sdk.Options{Resume: true})
	o.NoHeartbeat, o.HeartbeatInterval = false, iv
	rec := newRecorder(o)
	c := dial(t, f.url("/resume/echo"), o)
	echo(t, c, "before")
	stalled := time.Now()
	f.call("/stallall", nil)
	e := rec.Next(t, "the stall detected", to(sdk.StateReconnecting))
	if !errors.Is(e.Err, sdk.ErrHeartbeatTimeout) {
		t.Fatalf("reconnecting after %v; want ErrHeartbeatTimeout", e.Err)
	}
	if took, bound := time.Since(stalled), 2*iv+iv/2+time.Second; took > bound {
		t.Fatalf("detected after %v; want within %v (+1 s of slack)", took, 2*iv+iv/2)
	}
	echo(t, c, "after")
}

// TestResumeSessionLostAfterServerRestart: the resume server restarts
// without its store (/resume/restart: it closes with 1012, the client
// reconnects, the new server does not know the session and answers 4504):
// the Conn ends with ErrSessionLost, final, never a silent gap.
func TestResumeSessionLostAfterServerRestart(t *testing.T) {
	f := newFixture(t)
	c := dial(t, f.url("/resume/echo"), fast(&sdk.Options{Resume: true}))
	echo(t, c, "before")
	f.call("/resume/restart", nil)
	_, p, err := c.Read(ctxT(t))
	if !errors.Is(err, sdk.ErrSessionLost) || !errors.Is(err, sdk.ErrClosed) {
		t.Fatalf("Read = %q, %v; want an error matching ErrSessionLost and ErrClosed", p, err)
	}
	wantClose(t, err, 4504)
}
