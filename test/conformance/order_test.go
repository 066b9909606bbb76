package conformance_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redial-ws/redial/sdk"
)

// The order of messages and events (sdk.Conn.Read): when OnStateChange
// gets the end of a connection, all its messages are ready (more than the
// Conn's 16-message buffer: some are carried over), and no message of the
// next connection comes before that callback returned. (The last helper
// found the browser page getting some of 40 such messages after the close
// event.) The browser shim
// relies on it to fire every message event before the close event.

// drainReady takes what Read returns without waiting.
func drainReady(c *sdk.Conn) []string {
	done, cancel := context.WithCancel(context.Background())
	cancel()
	var got []string
	for {
		_, p, err := c.Read(done)
		if err != nil {
			return got
		}
		got = append(got, string(p))
	}
}

func wantSeq(n int, got []string) string {
	if len(got) != n {
		return "got " + strconv.Itoa(len(got)) + " messages, want " + strconv.Itoa(n)
	}
	for i, m := range got {
		if m != strconv.Itoa(i+1) {
			return "message " + strconv.Itoa(i+1) + " is " + m
		}
	}
	return ""
}

func TestMessagesReadyAtEndEvent(t *testing.T) {
	for _, tc := range []struct {
		name string
		code sdk.StatusCode
		to   sdk.State
	}{
		{"reconnecting", 4000, sdk.StateReconnecting},
		{"final", sdk.StatusPolicyViolation, sdk.StateClosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const n = 40
			f := newFixture(t)
			o := fast(nil)
			var conn atomic.Pointer[sdk.Conn]
			opened := make(chan struct{})
			verdict := make(chan string, 1)
			var seen atomic.Bool
			o.OnStateChange = func(e sdk.StateChange) {
				if e.To == sdk.StateOpen && e.From == sdk.StateConnecting {
					<-opened // the test has the Conn
				}
				if e.From != sdk.StateOpen || e.To != tc.to || !seen.CompareAndSwap(false, true) {
					return
				}
				c := conn.Load()
				got := drainReady(c)
				if msg := wantSeq(n, got); msg != "" {
					verdict <- "at the end event: " + msg
					return
				}
				if tc.to == sdk.StateClosed {
					verdict <- ""
					return
				}
				// The next connection opens while this callback runs; its
				// server sends at once. None of it may be readable yet.
				deadline := time.Now().Add(testTimeout)
				for c.State() != sdk.StateOpen {
					if time.Now().After(deadline) {
						verdict <- "the next connection did not open"
						return
					}
					time.Sleep(time.Millisecond)
				}
				for end := time.Now().Add(100 * time.Millisecond); time.Now().Before(end); time.Sleep(time.Millisecond) {
					if got := drainReady(c); len(got) > 0 {
						verdict <- "the next connection's " + got[0] + " came before its previous end event returned"
						return
					}
				}
				verdict <- ""
			}
			c := dial(t, f.closeAfterURL(n, 0, tc.code, "bye"), o)
			conn.Store(c)
			close(opened)
			defer c.Close(sdk.StatusNormalClosure, "")
			// The app reads nothing until the end event: natively the
			// reader, blocked on it, would never reach the close frame;
			// a failed write makes it read on (see the close race tests).
			fctx, stop := context.WithCancel(ctxT(t))
			w := flood(fctx, c)
			defer func() { stop(); <-w }()
			select {
			case msg := <-verdict:
				if msg != "" {
					t.Fatal(msg)
				}
			case <-ctxT(t).Done():
				t.Fatal("no end event")
			}
			if tc.to == sdk.StateReconnecting { // then the next connection's, in order
				var got []string
				for range n {
					_, p, err := c.Read(ctxT(t))
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, string(p))
				}
				if msg := wantSeq(n, got); msg != "" {
					t.Fatal("next connection: " + msg)
				}
			}
		})
	}
}
