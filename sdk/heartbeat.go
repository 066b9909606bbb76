package sdk

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// heartbeat keeps a quiet connection honest. Every interval (iv) it checks
// the wall clock and, where the platform can, sends a ping. A connection
// is declared dead only when it failed to prove itself alive, and a
// message from the peer proves it as well as a pong does (a connection
// with data to read is alive; a peer whose app is slow to read answers no
// ping yet still sends):
//
//   - Missed pings: a ping unanswered, with no message since it was sent,
//     by the next tick is the first miss; a second ping goes out at once
//     and gets confirmWait(iv) for its pong. Two misses declare death, at
//     most 2 × iv + confirmWait(iv) after the last sign of life (60 s at
//     the default 25 s).
//   - A wall-clock jump: more than 2 × iv of wall time between two ticks
//     means the machine slept, the process was stopped or the page's main
//     thread was blocked (Go's timers run on the monotonic clock, which
//     stops during suspend, so the gap shows only in wall time). The
//     socket may be stale, so it must prove itself within confirmWait(iv):
//     a message that came after the jump (one queued while the page was
//     blocked counts: it is handed over only once the page runs) or, where
//     pings exist, the pong of a ping sent then. A browser cannot ping, so
//     a socket with nothing to say after a jump is declared dead then.
//
// While the app does not read, natively nobody reads the socket either, so
// no pong can be seen: that is no evidence either way, and the connection
// stays (a slow app is not a dead peer).
//
// It runs on timers, not on a goroutine of its own (an idle connection
// holds none for it: beat_timer.go): each tick runs in the timer's
// goroutine, then schedules the next. A death is reported with fail.
// Pings run with ctx, which must last as long as the connection; ticks end
// with it.
func (c *Conn) startHeartbeat(ctx context.Context, t transport, fail func(error), wg *sync.WaitGroup) *beat {
	b := &beat{
		c: c, t: t, ctx: ctx, fail: fail, wg: wg, rx: t.received(),
		iv: c.cfg.heartbeat, wait: confirmWait(c.cfg.heartbeat),
		canPing: t.canPing(),
	}
	b.last = b.now()
	b.schedule()
	return b
}

// tick is one heartbeat interval's check.
func (b *beat) tick() {
	b.c.queue.retireIdleWriter()
	b.takePongs()
	if b.ctx.Err() != nil {
		return
	}
	now := b.now()
	gap := now.Sub(b.last)
	switch {
	case gap > 2*b.iv:
		if b.aliveSince(now.Add(-b.iv)) || (b.canPing && b.c.appBlocked.Load()) {
			break // what came after the jump says it lives; or no evidence either way
		}
		if !b.confirm(now) {
			b.fail(fmt.Errorf("%w: %v passed during a %v heartbeat interval "+
				"(the machine slept, the process was stopped or the tab was frozen) and nothing came from the server in the %v after",
				ErrHeartbeatTimeout, gap.Round(time.Millisecond), b.iv.Round(time.Millisecond), b.wait.Round(time.Millisecond)))
			return
		}
	case !b.canPing:
	case b.c.appBlocked.Load():
	case b.ref.IsZero() || b.aliveSince(b.ref):
		if b.pinging == 0 {
			b.startPing()
		}
	default: // the ping sent a tick ago went unanswered, and nothing came
		if !b.confirm(b.ref) {
			b.fail(fmt.Errorf("%w: %d pings unanswered (the last waited %v) and nothing came from the server for %v",
				ErrHeartbeatTimeout, missedPingsDead, b.wait.Round(time.Millisecond), b.now().Sub(b.ref).Round(time.Millisecond)))
			return
		}
	}
	// A confirmation may have waited: the next interval starts now.
	b.last = b.now()
	b.ref = b.last
	b.schedule()
}

// confirmWait is how long a connection under suspicion (a missed ping, a
// wall-clock jump) has to prove itself alive: half an interval, at most 10 s.
func confirmWait(iv time.Duration) time.Duration {
	return min(iv/2, 10*time.Second)
}

// maxPings bounds the pings in flight: one per interval, and the one a
// confirmation adds. A ping is never abandoned before its connection ends:
// coder/websocket closes the connection when a ping's context ends while
// its frame is being written.
const maxPings = 2

// beat is one connection's heartbeat state. Ticks run one after another
// (each schedules the next), so only the timer fields need mu.
type beat struct {
	c        *Conn
	t        transport
	ctx      context.Context
	fail     func(error)
	wg       *sync.WaitGroup
	rx       *rxMark
	iv, wait time.Duration
	canPing  bool

	pinging  int       // pings in flight
	lastPong time.Time // when the last pong came
	last     time.Time // when the last tick (or the start) was
	ref      time.Time // since when a sign of life is due; zero: none yet

	mu      sync.Mutex
	timer   stopper // the next tick's
	stopped bool
	// pongs are the pings' results not yet taken (takePongs), at most
	// maxPings: an array, not a channel, as one is made per connection
	// (176 bytes) and a ping is rare. A result wakes confirm through
	// rx's waker.
	pongs  [maxPings]pong
	npongs int
}

// pong is a ping's result and when it came.
type pong struct {
	err error
	at  time.Time
}

func (b *beat) now() time.Time { return b.c.cfg.clock.Now().Round(0) } // no monotonic reading

// aliveSince reports a sign of life at or after t: a message or a pong.
func (b *beat) aliveSince(t time.Time) bool {
	return b.rx.since(t) || (!b.lastPong.IsZero() && !b.lastPong.Before(t))
}

// takePongs settles the pings that were answered since it was last called.
func (b *beat) takePongs() {
	b.mu.Lock()
	got := b.pongs
	n := b.npongs
	b.pongs, b.npongs = [maxPings]pong{}, 0
	b.mu.Unlock()
	for _, p := range got[:n] {
		b.gotPong(p)
	}
}

// gotPong settles a ping. One that failed for another reason than
// errPingUnsupported means the socket failed: the reader reports that.
func (b *beat) gotPong(p pong) {
	b.pinging--
	switch {
	case p.err == nil:
		b.lastPong = p.at
	case errors.Is(p.err, errPingUnsupported):
		b.canPing = false
	}
}

// confirm waits up to b.wait for a sign of life at or after from: a message,
// or (where pings exist) a pong, of a ping it sends now among others. It
// returns false when none came and the connection is presumed dead.
func (b *beat) confirm(from time.Time) bool {
	if b.canPing && b.pinging < maxPings {
		b.startPing()
	}
	timer := b.c.cfg.clock.NewTimer(b.wait)
	defer timer.Stop()
	wake := b.rx.waker() // before takePongs and aliveSince: see waker
	for b.takePongs(); !b.aliveSince(from); b.takePongs() {
		select {
		case <-b.ctx.Done():
			return true // ended otherwise; the tick ends
		case <-wake: // a message or a pong
		case <-timer.C():
			b.takePongs()
			// Natively a reader waiting for the app cannot see the pong.
			return b.aliveSince(from) || (b.canPing && b.c.appBlocked.Load())
		}
	}
	return true
}

// startPing sends a ping; its result comes on b.pongs.
func (b *beat) startPing() {
	b.pinging++
	b.wg.Go(func() {
		sent := b.c.cfg.clock.Now()
		err := b.t.ping(b.ctx)
		b.c.stats.pinged(err, sent, b.c.cfg.clock)
		b.mu.Lock()
		b.pongs[b.npongs] = pong{err, b.now()} // room for maxPings
		b.npongs++
		b.mu.Unlock()
		b.rx.poke()
	})
}
