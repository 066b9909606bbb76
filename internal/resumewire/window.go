package resumewire

import (
	"context"
	"sync"
)

// Sent is one data frame a sender keeps until the peer acknowledges it.
type Sent struct {
	Seq     uint64
	Kind    byte   // KindDataText or KindDataBinary
	Payload []byte // owned by the window from Push on; never modified
}

// Window is a sender's buffer of unacknowledged data frames, in seq order,
// bounded by a count and a byte total (payload bytes). Push waits while
// it is full; Ack releases; From serves the replay after a reconnect.
// Safe for concurrent use. The zero value is not usable: use NewWindow.
type Window struct {
	mu       sync.Mutex
	maxCount int
	maxBytes int
	frames   []Sent // unacked, seq ascending, contiguous
	bytes    int
	last     uint64        // seq of the last pushed frame (0: none yet)
	acked    uint64        // highest seq acknowledged
	space    chan struct{} // closed and replaced when frames are released
	added    chan struct{} // closed and replaced when a frame is pushed
}

// NewWindow returns an empty window holding at most maxCount frames and
// maxBytes payload bytes (each at least 1). The first pushed seq is
// start+1 and everything ≤ start counts as acknowledged: start is 0 for
// a new session, or the acked counter restored from a store.
func NewWindow(maxCount, maxBytes int, start uint64) *Window {
	return &Window{
		maxCount: max(maxCount, 1),
		maxBytes: max(maxBytes, 1),
		last:     start,
		acked:    start,
		space:    make(chan struct{}),
		added:    make(chan struct{}),
	}
}

// Push appends a frame with the next seq and returns that seq. It waits
// while the window is full (backpressure) until Ack frees room or ctx
// ends (then it returns context.Cause(ctx) and nothing is pushed). A
// payload over the byte bound returns ErrTooBig at once. The window keeps
// payload: the caller must not modify it afterwards.
func (w *Window) Push(ctx context.Context, kind byte, payload []byte) (uint64, error) {
	if len(payload) > w.maxBytes {
		return 0, ErrTooBig
	}
	for {
		w.mu.Lock()
		if len(w.frames) < w.maxCount && w.bytes+len(payload) <= w.maxBytes {
			w.last++
			w.frames = append(w.frames, Sent{Seq: w.last, Kind: kind, Payload: payload})
			w.bytes += len(payload)
			close(w.added)
			w.added = make(chan struct{})
			seq := w.last
			w.mu.Unlock()
			return seq, nil
		}
		space := w.space
		w.mu.Unlock()
		select {
		case <-space:
		case <-ctx.Done():
			return 0, context.Cause(ctx)
		}
	}
}

// Ack releases every frame with seq ≤ n and returns how many it released.
// An n at or below the acked counter is a no-op (acks are cumulative and
// may cross a replay); an n above the last pushed seq is ErrAckAhead and
// releases nothing.
func (w *Window) Ack(n uint64) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if n > w.last {
		return 0, ErrAckAhead
	}
	if n <= w.acked {
		return 0, nil
	}
	k := int(n - w.acked)
	for _, f := range w.frames[:k] {
		w.bytes -= len(f.Payload)
	}
	clear(w.frames[:k]) // let the payloads go
	w.frames = w.frames[k:]
	if len(w.frames) == 0 {
		w.frames = w.frames[:0:0] // drop the backing array's released prefix
	}
	w.acked = n
	close(w.space)
	w.space = make(chan struct{})
	return k, nil
}

// From appends to dst the frames with seq > n, in order (a replay for a
// peer that delivered everything up to n), and returns it. If the window
// already released frames the peer still needs (n < the acked counter)
// it returns a *GapError (ErrGap); if n is above the last pushed seq it
// returns ErrAckAhead. The Sent values share payloads with the window.
func (w *Window) From(n uint64, dst []Sent) ([]Sent, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if n > w.last {
		return dst, ErrAckAhead
	}
	if n < w.acked {
		return dst, &GapError{Want: n + 1, Got: w.acked + 1}
	}
	return append(dst, w.frames[n-w.acked:]...), nil
}

// Added returns a channel closed at the next Push: a sender's writer
// waits on it for new frames (read Last before waiting to avoid a miss).
func (w *Window) Added() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.added
}

// Released returns a channel closed at the next Ack that releases
// frames (read Acked before waiting to avoid a miss).
func (w *Window) Released() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.space
}

// Last is the seq of the last pushed frame (the start seq if none).
func (w *Window) Last() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last
}

// Acked is the highest acknowledged seq.
func (w *Window) Acked() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.acked
}

// Len returns the number of unacknowledged frames and their payload bytes.
func (w *Window) Len() (count, bytes int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.frames), w.bytes
}

// Verdict is what a Receiver decided about an incoming data frame.
type Verdict int

const (
	// Deliver: the next seq in order; hand it to the application.
	Deliver Verdict = iota + 1
	// Duplicate: already accepted (a replay that crossed an ack); drop it.
	Duplicate
)

// Receiver is the receiving side's counter: the highest seq accepted. Not
// safe for concurrent use (one reader per direction).
type Receiver struct {
	accepted uint64
}

// NewReceiver starts a counter at accepted (0 for a new session, or the
// delivered counter restored from a store).
func NewReceiver(accepted uint64) Receiver { return Receiver{accepted: accepted} }

// Accept classifies seq: the next one is Deliver (and counted), one at or
// below the counter is Duplicate, one further ahead is a *GapError (ErrGap;
// nothing is counted: the peer broke the protocol, close with 1002).
func (r *Receiver) Accept(seq uint64) (Verdict, error) {
	switch {
	case seq <= r.accepted:
		return Duplicate, nil
	case seq == r.accepted+1:
		r.accepted = seq
		return Deliver, nil
	}
	return 0, &GapError{Want: r.accepted + 1, Got: seq}
}

// Accepted is the highest seq accepted so far.
func (r *Receiver) Accepted() uint64 { return r.accepted }
