package sdk

import (
	"sync/atomic"
	"time"

	"github.com/redial-ws/redial/internal/sdkhooks"
)

// Stats is a snapshot of a Conn's counters, from Conn.Stats: the numbers a
// dashboard wants, without an OnStateChange counter written by hand.
// Counts are since the Conn was made (New or Dial), over every connection.
type Stats struct {
	// Attempts is the connection attempts started (dials, the first
	// included; each one a URLFunc/HeaderFunc call and an opening
	// handshake, or the resume exchange in resume mode).
	Attempts uint64
	// Reconnects is the connections opened after the first one: opens
	// that followed StateReconnecting.
	Reconnects uint64
	// MessagesIn and BytesIn are the data messages received from the
	// server and their payload bytes (no WebSocket framing; in resume
	// mode, app messages only: the protocol's frames and the replays it
	// drops are not counted). A message received and not yet read counts.
	MessagesIn, BytesIn uint64
	// MessagesOut and BytesOut are the data messages the socket accepted
	// and their payload bytes (as for In). A Write still queued is not
	// counted yet; in resume mode a message sent again on a new
	// connection (the replay of one not acknowledged) counts again.
	MessagesOut, BytesOut uint64
	// QueuedMessages and QueuedBytes are the send queue now: Writes not
	// yet accepted by a socket (in resume mode, not yet acknowledged), at
	// most Options.MaxQueued and Options.MaxQueuedBytes.
	QueuedMessages, QueuedBytes uint64
	// LastRTT is the round trip of the last heartbeat ping answered: a
	// WebSocket ping and its pong (RFC 6455 §5.5.2–3) natively, the resume
	// protocol's PING/PONG in resume mode (docs/resume.md, "Liveness"),
	// 0 while no ping was answered: always in the
	// browser without resume mode, which cannot ping.
	LastRTT time.Duration
	// TimeConnecting, TimeOpen, TimeReconnecting and TimeClosed are the
	// time spent in each State, up to the Stats call for the current one:
	// they sum to the time since the Conn was made (monotonic clock).
	TimeConnecting, TimeOpen, TimeReconnecting, TimeClosed time.Duration
}

// connStats holds a Conn's counters. The data path pays an uncontended
// atomic add per counter per message (each counter has one writer, the
// connection's reader or writer goroutine), no lock and no allocation;
// state changes, rare, swap an immutable stateTimes.
type connStats struct {
	attempts, reconnects atomic.Uint64
	msgsIn, bytesIn      atomic.Uint64
	msgsOut, bytesOut    atomic.Uint64
	rtt                  atomic.Int64 // nanoseconds; 0: no pong yet
	times                atomic.Pointer[stateTimes]
}

// stateTimes is the time spent in each state before the current one's
// start, replaced whole on each transition so Stats reads it consistently.
type stateTimes struct {
	state State
	since time.Time
	spent [StateClosed + 1]time.Duration
}

// begin starts the clock in StateConnecting: the Conn was made at now.
func (s *connStats) begin(now time.Time) {
	s.times.Store(&stateTimes{state: StateConnecting, since: now})
}

// received counts the messages handed over by a transport; it returns
// them, so a call can wrap where they go.
func (s *connStats) received(ms []inMsg) []inMsg {
	for _, m := range ms {
		s.in(len(m.p))
	}
	return ms
}

// in counts one message of n bytes received.
func (s *connStats) in(n int) {
	s.msgsIn.Add(1)
	s.bytesIn.Add(uint64(n))
}

// out counts one message of n bytes the socket accepted.
func (s *connStats) out(n int) {
	s.msgsOut.Add(1)
	s.bytesOut.Add(uint64(n))
}

// entered records a transition (from the supervisor, its only writer).
func (s *connStats) entered(from, to State, now time.Time) {
	old := s.times.Load()
	next := *old
	next.spent[old.state] += max(now.Sub(old.since), 0)
	next.state, next.since = to, now
	s.times.Store(&next)
	if to == StateOpen && from == StateReconnecting {
		s.reconnects.Add(1)
	}
}

// pinged records a heartbeat ping sent at sent that returned err.
func (s *connStats) pinged(err error, sent time.Time, clk sdkhooks.Clock) {
	if err == nil {
		s.rtt.Store(int64(max(clk.Now().Sub(sent), 0)))
	}
}

// Stats returns the Conn's counters now (see Stats). It is safe to call
// from any goroutine, at any time, after Close too, and cheap: a few
// atomic loads and the send queue's lock. Each field is read atomically;
// the fields are not one atomic snapshot (a message may be counted in
// MessagesOut and still in QueuedMessages).
func (c *Conn) Stats() Stats {
	n, b := c.queue.size()
	st := Stats{
		Attempts:       c.stats.attempts.Load(),
		Reconnects:     c.stats.reconnects.Load(),
		MessagesIn:     c.stats.msgsIn.Load(),
		BytesIn:        c.stats.bytesIn.Load(),
		MessagesOut:    c.stats.msgsOut.Load(),
		BytesOut:       c.stats.bytesOut.Load(),
		QueuedMessages: uint64(n),
		QueuedBytes:    uint64(b),
		LastRTT:        time.Duration(c.stats.rtt.Load()),
	}
	t := c.stats.times.Load()
	spent := t.spent
	spent[t.state] += max(c.cfg.clock.Now().Sub(t.since), 0)
	st.TimeConnecting, st.TimeOpen = spent[StateConnecting], spent[StateOpen]
	st.TimeReconnecting, st.TimeClosed = spent[StateReconnecting], spent[StateClosed]
	return st
}
