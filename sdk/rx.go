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
	clk sdkhooks.Clock
	at  atomic.Int64 // UnixNano of the last message; 0: none yet
	// wake gets a token after each message, once a heartbeat waited
	// (waker): made then, as most connections never wait.
	wake atomic.Pointer[chan struct{}]
}

// mark records that messages were handed over now.
func (r *rxMark) mark() {
	r.at.Store(r.clk.Now().UnixNano())
	r.poke()
}

// poke leaves a token on the waker, if there is one: a pong came.
func (r *rxMark) poke() {
	if w := r.wake.Load(); w != nil {
		select {
		case *w <- struct{}{}:
		default:
		}
	}
}

// waker returns the channel mark (and poke) sends a token on after each
// message.
// Take it before checking since: then a message either shows there or
// leaves a token.
func (r *rxMark) waker() <-chan struct{} {
	if w := r.wake.Load(); w != nil {
		return *w
	}
	ch := make(chan struct{}, 1)
	if r.wake.CompareAndSwap(nil, &ch) {
		return ch
	}
	return *r.wake.Load()
}

// since reports whether a message came at or after t.
func (r *rxMark) since(t time.Time) bool {
	a := r.at.Load()
	return a != 0 && a >= t.UnixNano()
}
