package sdk

import (
	"sync/atomic"
	"time"

	"github.com/redial-ws/redial/internal/sdkhooks"
)

// rxMark is a transport's record of the data it received: when the last
// message came, on the Conn's clock (the wall clock the heartbeat reads),
// and a wake-up for a heartbeat that waits for one. A message from the peer
// proves the connection alive as well as a pong does (issue 8 §2: a
// connection that has unread data is alive), and it is the only proof a
// page has: browsers cannot send pings.
type rxMark struct {
	clk  sdkhooks.Clock
	at   atomic.Int64  // UnixNano of the last message; 0: none yet
	wake chan struct{} // a token after each message
}

func newRxMark(clk sdkhooks.Clock) *rxMark {
	return &rxMark{clk: clk, wake: make(chan struct{}, 1)}
}

// mark records that messages were handed over now.
func (r *rxMark) mark() {
	r.at.Store(r.clk.Now().UnixNano())
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// since reports whether a message came at or after t.
func (r *rxMark) since(t time.Time) bool {
	a := r.at.Load()
	return a != 0 && a >= t.UnixNano()
}
