//go:build js

package main

import (
	"context"
	"runtime"
	"sync"

	"github.com/redial-ws/redial/sdk"
)

// maxBatch bounds the messages handed to the page in one call.
const maxBatch = 256

// receive hands the Conn's messages to the page, in batches, until the
// final close. Between batches it answers fences (see receiver).
func (h *handle) receive() {
	defer h.rx.stop()
	var b batch
	for {
		ctx := h.rx.context()
		typ, p, err := h.conn.Read(ctx)
		if err != nil {
			if ctx.Err() != nil && err == ctx.Err() {
				// Nothing is ready: every message before the fence
				// reached the page.
				h.rx.ack()
				continue
			}
			return // the final close: the events tell the page
		}
		b.add(typ, p)
		for len(b.msgs) < maxBatch {
			typ, p, err := h.conn.Read(canceled) // only what is ready
			if err != nil {
				break
			}
			b.add(typ, p)
		}
		h.deliver(&b)
	}
}

// receiver lets an event wait until the messages before it reached the
// page. The SDK guarantees that when OnStateChange is called for the end of
// a connection, all that connection's messages are ready for Read, and that
// no later connection's message is returned before the callback returns
// (see sdk.Conn.Read). So fence cancels the context the receive loop reads
// with; the loop delivers what is ready, finds nothing more, and acks.
type receiver struct {
	mu     sync.Mutex
	ctx    context.Context
	cancel context.CancelFunc
	acks   []chan struct{}
	done   chan struct{} // closed when the receive loop ended
}

func (r *receiver) init() { r.done = make(chan struct{}) }

// context is what the loop reads with: canceled while a fence waits.
func (r *receiver) context() context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ctx == nil {
		r.ctx, r.cancel = context.WithCancel(context.Background())
		if len(r.acks) > 0 { // a fence came while none was set
			r.cancel()
		}
	}
	return r.ctx
}

// fence returns once the messages ready now reached the page (or the loop
// ended). It runs on the SDK's event goroutine.
func (r *receiver) fence() {
	ack := make(chan struct{})
	r.mu.Lock()
	r.acks = append(r.acks, ack)
	if r.cancel != nil {
		r.cancel()
	}
	r.mu.Unlock()
	select {
	case <-ack:
	case <-r.done:
	}
}

// ack releases the fences waiting, and gives the loop a fresh context.
func (r *receiver) ack() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range r.acks {
		close(a)
	}
	r.acks = nil
	r.ctx, r.cancel = nil, nil
}

func (r *receiver) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cancel != nil {
		r.cancel()
	}
	close(r.done)
}

// batch is messages ready for the page and their index in the wasm memory:
// three u32 per message (binary, address, length).
type batch struct {
	msgs [][]byte
	meta []uint32
}

func (b *batch) add(typ sdk.MessageType, p []byte) {
	bin := uint32(0)
	if typ == sdk.MessageBinary {
		bin = 1
	}
	b.msgs = append(b.msgs, p)
	b.meta = append(b.meta, bin, uint32(addr(p)), uint32(len(p)))
}

// deliver hands a batch to the shim in one call: it reads every message out
// of the wasm memory first, then fires the events.
func (h *handle) deliver(b *batch) {
	defer func() {
		if r := recover(); r != nil {
			consoleError("redial-ws: message delivery failed: " + panicReport(r))
		}
		clear(b.msgs)
		b.msgs, b.meta = b.msgs[:0], b.meta[:0]
	}()
	if _, err := h.cb.messages.Invoke(len(b.msgs), addr32(b.meta)); err != nil {
		consoleError("redial-ws: message delivery failed: " + err.Error())
	}
	runtime.KeepAlive(b.msgs)
	runtime.KeepAlive(b.meta)
}
