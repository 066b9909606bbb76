package sdk

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// StateChange is one event of a Conn's life: a transition, or a retry
// scheduled (then From may equal To: StateReconnecting, with a new Attempt
// and Delay).
type StateChange struct {
	From, To State
	// Attempt is the retry number the Delay leads to (StateReconnecting),
	// or the attempt that just opened (StateOpen); 0 for the first dial.
	Attempt int
	// Delay is the wait before the next attempt (StateReconnecting only).
	Delay time.Duration
	// Err is what caused the change: the close or failure, nil for opens
	// and the app's own close.
	Err error
	// Close is the close that caused the change, when there was one.
	Close *CloseError
	// Final: the policy (or the retry budget) decided not to reconnect.
	Final bool
	// Handshake is the opening handshake of the connection that just
	// opened (StateOpen only; nil otherwise), so even the first open,
	// delivered before Dial returns, can be shown.
	Handshake *Handshake
}

// String reads like a log line: "reconnecting in 1.3s (attempt 2): redial:
// closed by server with 1012 service restart".
func (e StateChange) String() string {
	var b strings.Builder
	b.WriteString(e.To.String())
	if e.To == StateReconnecting {
		b.WriteString(" in ")
		b.WriteString(e.Delay.Round(time.Millisecond).String())
		b.WriteString(" (attempt ")
		b.WriteString(strconv.Itoa(e.Attempt))
		b.WriteString(")")
	}
	if e.Final && e.Err != nil {
		b.WriteString(" for good")
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(redactText(e.Err.Error())) // Err may come from the app's URLFunc
	}
	return b.String()
}

// eventQueue delivers StateChanges to the callback in order from its own
// goroutine, so a slow or blocking callback never stalls the supervisor.
// It is unbounded, but a Conn emits a handful of events per reconnect.
type eventQueue struct {
	fn         func(StateChange)
	log        Logger
	mu         sync.Mutex
	pending    []StateChange
	closed     bool
	wake       chan struct{}
	done       chan struct{}
	inCallback atomic.Bool
	// pushed and delivered count events (under mu); progress is closed
	// and replaced after each delivery (see waitDelivered).
	pushed, delivered uint64
	progress          chan struct{}
	// loopID is the id of the goroutine that runs the callback (set
	// before the first delivery): only a wait from that goroutine, that is
	// from inside the callback, may skip waiting for the events.
	loopID atomic.Uint64
}

func newEventQueue(fn func(StateChange), log Logger) *eventQueue {
	if fn == nil { // nothing to deliver: no loop, no channels of its own
		return &eventQueue{log: log, done: closedChan}
	}
	q := &eventQueue{fn: fn, log: log, wake: make(chan struct{}, 1), done: make(chan struct{}), progress: make(chan struct{})}
	go q.loop()
	return q
}

// closedChan is done for every eventQueue without a callback.
var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

func (q *eventQueue) push(e StateChange) {
	if q.fn == nil {
		return
	}
	q.mu.Lock()
	if !q.closed {
		q.pending = append(q.pending, e)
		q.pushed++
	}
	q.mu.Unlock()
	q.signal()
}

// mark is the number of events queued so far.
func (q *eventQueue) mark() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.pushed
}

// waitDelivered returns true once the callback returned for the first n
// events (at once without a callback, or once the queue ended), false if
// stop ends first.
func (q *eventQueue) waitDelivered(n uint64, stop <-chan struct{}) bool {
	for {
		q.mu.Lock()
		ok, progress := q.delivered >= n, q.progress
		q.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-progress:
		case <-q.done:
			return true
		case <-stop:
			return false
		}
	}
}

// close lets the loop deliver what is pending, then end.
func (q *eventQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.signal()
}

// wait blocks until every event is delivered, unless called from inside
// the callback (a callback that calls Close must not wait for itself).
// Another goroutine's Close while the callback runs does wait: it must not
// return before its StateClosed was delivered.
func (q *eventQueue) wait() {
	if q.inCallback.Load() && goroutineID() == q.loopID.Load() {
		return
	}
	<-q.done
}

func (q *eventQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *eventQueue) loop() {
	defer close(q.done)
	q.loopID.Store(goroutineID())
	for range q.wake {
		q.mu.Lock()
		batch, closed := q.pending, q.closed
		q.pending = nil
		q.mu.Unlock()
		for _, e := range batch {
			q.deliver(e)
			q.mu.Lock()
			q.delivered++
			close(q.progress)
			q.progress = make(chan struct{})
			q.mu.Unlock()
		}
		if closed {
			q.mu.Lock()
			left := len(q.pending)
			q.mu.Unlock()
			if left == 0 {
				return
			}
			q.signal()
		}
	}
}

// deliver calls the callback; a panic in it is the app's bug, but must
// not take the connection down with it.
func (q *eventQueue) deliver(e StateChange) {
	q.inCallback.Store(true)
	defer q.inCallback.Store(false)
	defer func() {
		if r := recover(); r != nil {
			q.log.Error("redial: OnStateChange panicked", "panic", r)
		}
	}()
	q.fn(e)
}
