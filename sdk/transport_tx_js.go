//go:build js

package sdk

import (
	"context"
	"fmt"

	"github.com/hack-pad/safejs"
)

// The sending side of browserTransport: messages packed into one batch,
// handed to the browser with one copy and one call.

// flushBytes / flushMessages: a batch this big is sent at once; a smaller
// one when the writer runs out of messages. stageMin is the least size of
// the helper's staging buffer.
const (
	flushBytes    = 64 << 10
	flushMessages = 128
	stageMin      = 64 << 10
)

// buffered is what this socket holds unsent: the batch being packed plus
// the browser socket's own bufferedAmount.
func (t *browserTransport) buffered() int {
	t.smu.Lock()
	n := len(t.out)
	t.smu.Unlock()
	if b, err := getInt(t.ws, "bufferedAmount"); err == nil {
		n += b
	}
	return n
}

var errNotOpen = &CloseError{Code: StatusAbnormalClosure, Reason: "socket no longer open"}

// write adds p to the send batch. The batch goes to the browser when it is
// full, or when the writer has nothing more to send (flushLoop runs then:
// wasm runs one goroutine at a time, and Go returns to the event loop only
// once every goroutine waits), so no message is left behind when the page
// gets control. Every yieldAfter of continuous writing, write first waits
// for a turn of the event loop.
func (t *browserTransport) write(ctx context.Context, typ MessageType, p []byte) error {
	if t.needDrain.Load() {
		if err := t.waitDrain(ctx); err != nil {
			return err
		}
	}
	if err := t.maybeYield(ctx); err != nil {
		return err
	}
	t.smu.Lock()
	if err := t.sendErr; err != nil || t.sendDone || t.closedFlag.Load() {
		t.smu.Unlock()
		if err != nil {
			return err
		}
		return errNotOpen
	}
	if len(t.lens) == 0 {
		// A batch's first message: the browser may have started closing
		// (readyState changes only between tasks, and this side's own
		// close flushes first, so once per batch is enough).
		if st, err := getInt(t.ws, "readyState"); err != nil || st != wsOpen {
			t.smu.Unlock()
			if err != nil {
				return err
			}
			return errNotOpen
		}
	}
	t.out = append(t.out, p...)
	m := uint32(len(p)) << 1
	if typ == MessageBinary {
		m |= 1
	}
	t.lens = append(t.lens, m)
	first, full := len(t.lens) == 1, len(t.out) >= flushBytes || len(t.lens) >= flushMessages
	if full {
		t.flushLocked()
	}
	t.smu.Unlock()
	if first && !full {
		select {
		case t.flushWake <- struct{}{}:
		default:
		}
	}
	return nil
}

// flushLoop sends a batch the writer left unfinished: it runs when the
// writer waits for more.
func (t *browserTransport) flushLoop() {
	for {
		select {
		case <-t.flushWake:
			t.flush()
		case <-t.closed:
			return
		}
	}
}

func (t *browserTransport) flush() {
	t.smu.Lock()
	defer t.smu.Unlock()
	t.flushLocked()
}

// flushLocked hands the batch to the browser: one copy, one call.
func (t *browserTransport) flushLocked() {
	n := len(t.lens)
	if n == 0 {
		return
	}
	defer func() {
		t.out, t.lens = t.out[:0], t.lens[:0]
		if cap(t.out) > 4*flushBytes {
			t.out = nil // after a big message: do not keep its room
		}
	}()
	if t.sendDone || t.sendErr != nil {
		return
	}
	size := len(t.out)
	for _, m := range t.lens {
		t.out = append(t.out, byte(m), byte(m>>8), byte(m>>16), byte(m>>24))
	}
	need := len(t.out)
	if need > t.outCap || (t.outCap > 4*stageMin && need <= stageMin) {
		c := max(need, stageMin)
		if need > t.outCap {
			c = max(need, 2*t.outCap)
		}
		v, err := t.s.Call("grow", c)
		if err != nil {
			t.sendErr = fmt.Errorf("redial: WebSocket.send: %w", err)
			return
		}
		t.outStage, t.outCap = v, c
	}
	if _, err := safejs.CopyBytesToJS(t.outStage, t.out); err != nil {
		t.sendErr = fmt.Errorf("redial: WebSocket.send: %w", err)
		return
	}
	r, err := t.sendFn.Invoke(n, size)
	if err != nil {
		t.sendErr = fmt.Errorf("redial: WebSocket.send: %w", err)
		return
	}
	if b, err := r.Float(); err == nil {
		t.needDrain.Store(b > sendHighWater)
	}
}

// stopSends drops the batch: the socket is closing.
func (t *browserTransport) stopSends() {
	t.smu.Lock()
	t.sendDone = true
	t.out, t.lens = t.out[:0], t.lens[:0]
	t.smu.Unlock()
}
