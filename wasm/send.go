//go:build js

package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/hack-pad/safejs"
	"github.com/redial-ws/redial/sdk"
)

// sendJS is handle.send(data): a string or a Uint8Array.
func (h *handle) sendJS(_ safejs.Value, args []safejs.Value) (any, error) {
	v := arg(args, 0)
	if v.Type() == safejs.TypeString {
		s, err := v.String()
		if err != nil {
			return nil, err
		}
		return nil, h.write(sdk.MessageText, bytesOf(s))
	}
	n, err := v.Length()
	if err != nil {
		return nil, invalid("send: data must be a string or a Uint8Array")
	}
	_, _ = growScratch(n)
	if _, err := safejs.CopyBytesToGo(scratch[:n], v); err != nil {
		return nil, invalid("send: data must be a string or a Uint8Array")
	}
	return nil, h.write(sdk.MessageBinary, scratch[:n])
}

// sendScratch is handle.sendText(n) / sendBinary(n): the message is the
// first n bytes of the scratch buffer.
func (h *handle) sendScratch(typ sdk.MessageType, args []safejs.Value) (any, error) {
	n, err := intArg(args, 0)
	if err != nil || n < 0 || n > len(scratch) {
		return nil, invalid("send: bad length")
	}
	return nil, h.write(typ, scratch[:n])
}

var (
	errSendClosed    = &jsErr{"closed", "redial-ws: the socket is closed"}
	errSendClosing   = &jsErr{"closed", "redial-ws: the socket is closing (close() was called)"}
	errFullWhileOpen = &jsErr{"queue_full", "redial-ws: send queue full: the socket is open but has not drained " +
		"(maxQueued / maxQueuedBytes reached); wait for bufferedAmount to fall before sending more"}
)

// write queues p (copied), as tryWrite, but when the queue is full while
// the socket is open it first lets the SDK's writer drain it into the
// browser socket (which takes everything up to its 4 MiB high-water mark):
// a burst of sends is not refused just because Go had no turn yet. It runs
// in a js.Func, which must not block; a yield runs the writer goroutine.
func (h *handle) write(typ sdk.MessageType, p []byte) error {
	err := h.tryWrite(typ, p)
	for i := 0; i < 8 && err == errFullWhileOpen; i++ {
		runtime.Gosched()
		err = h.tryWrite(typ, p)
	}
	return err
}

// tryWrite queues p (copied). It never blocks nor yields: a JS call (and
// the redial_send export) must not wait. The Conn queues while connecting
// and reconnecting too; its errors are worded for the page here.
func (h *handle) tryWrite(typ sdk.MessageType, p []byte) error {
	switch {
	case h.conn == nil || h.conn.State() == sdk.StateClosed:
		return errSendClosed
	case h.pageClosed.Load():
		return errSendClosing
	}
	err := h.conn.Write(canceled, typ, p)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled): // full while open: Write would wait
		return errFullWhileOpen
	case errors.Is(err, sdk.ErrQueueFull):
		return &jsErr{"queue_full", "redial-ws: " + strings.TrimPrefix(err.Error(), "redial: ") + " (maxQueued / maxQueuedBytes)"}
	case errors.Is(err, sdk.ErrMessageTooBig):
		return &jsErr{"too_big", fmt.Sprintf("redial-ws: message of %d bytes is bigger than maxQueuedBytes (%d)", len(p), h.maxBytes)}
	case errors.Is(err, sdk.ErrClosed):
		return errSendClosed
	}
	return err
}
