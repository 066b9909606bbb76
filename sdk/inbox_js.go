package sdk

import "sync"

// inbox is an unbounded FIFO that a producer which must never block (a
// browser event callback: blocking it would stall the JS event loop, and
// with it the Go runtime) hands messages to a consumer goroutine through.
// The browser's WebSocket has no read backpressure anyway: it buffers
// whatever arrives, so bounding here would only lose messages.
type inbox struct {
	mu     sync.Mutex
	items  []inMsg
	head   int
	signal chan struct{} // has a token while items may be waiting
}

func newInbox() *inbox { return &inbox{signal: make(chan struct{}, 1)} }

func (b *inbox) put(m inMsg) {
	b.mu.Lock()
	b.items = append(b.items, m)
	b.mu.Unlock()
	select {
	case b.signal <- struct{}{}:
	default:
	}
}

// take pops the oldest message, if any.
func (b *inbox) take() (inMsg, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.head == len(b.items) {
		return inMsg{}, false
	}
	m := b.items[b.head]
	b.items[b.head] = inMsg{}
	b.head++
	if b.head == len(b.items) {
		b.items, b.head = b.items[:0], 0
	}
	return m, true
}
