//go:build js

package sdk

import (
	"context"
	"errors"
	"fmt"

	"github.com/hack-pad/safejs"
)

// The receiving side of browserTransport: the helper's batches of
// messages, moved into the inbox and handed to read.

// take moves every message the helper queued into the inbox, one batch
// (one call, one copy) at a time. A message over Options.ReadLimit ends the
// connection: a local close 1009.
func (t *browserTransport) take() {
	for {
		more, err := t.takeBatch()
		if err != nil {
			t.fail(fmt.Errorf("redial: reading the browser WebSocket's messages: %w", err))
			return
		}
		if !more {
			return
		}
	}
}

var errBadBatch = errors.New("the JS helper handed over a malformed batch")

// takeBatch moves one batch into the inbox; more reports that others wait.
func (t *browserTransport) takeBatch() (more bool, err error) {
	r, err := t.takeFn.Invoke()
	if err != nil {
		return false, err
	}
	f, err := r.Float()
	if err != nil || f == 0 {
		return false, err
	}
	if f < 0 { // the helper made a new staging buffer
		if t.inStage, err = t.s.Get("in"); err != nil {
			return false, err
		}
		f = -f
	}
	total := int(f)
	if total < 8 {
		return false, errBadBatch
	}
	buf := make([]byte, total)
	if _, err := safejs.CopyBytesToGo(buf, t.inStage); err != nil {
		return false, err
	}
	n, flags := int(le32(buf)), le32(buf[4:])
	meta := total - 4*n
	if n < 0 || meta < 8 {
		return false, errBadBatch
	}
	off := 8
	for k := range n {
		m := le32(buf[meta+4*k:])
		size := int(m >> 1)
		if off+size > meta {
			return false, errBadBatch
		}
		typ := MessageText
		if m&1 != 0 {
			typ = MessageBinary
		}
		t.in.put(inMsg{typ, buf[off : off+size : off+size]})
		off += size
	}
	if n > 0 {
		t.rx.mark()
	}
	if flags&takeOver != 0 {
		t.overLimit()
		return false, nil
	}
	return flags&takeMore != 0, nil
}

// fail ends the connection after a failure of this side's JS plumbing (no
// close frame: 1006, retried by the default policy).
func (t *browserTransport) fail(err error) {
	t.mu.Lock()
	if t.localErr == nil {
		t.localErr = &CloseError{Code: StatusAbnormalClosure, Err: err}
	}
	t.mu.Unlock()
	t.stopSends()
	_, _ = t.ws.Call("close") // best effort: the error is what read reports
	t.markClosed()
}

// overLimit ends the connection after a message over Options.ReadLimit, as
// coder/websocket does natively: a close 1009 from this side, final. The
// browser may only send 1000 or 3000–4999, so the socket closes with
// browserCloseArgs' mapping of it.
func (t *browserTransport) overLimit() {
	const why = "message over Options.ReadLimit"
	t.mu.Lock()
	t.localErr = &CloseError{Code: StatusMessageTooBig, Reason: why, Local: true}
	t.mu.Unlock()
	t.stopSends()
	code, reason := browserCloseArgs(StatusMessageTooBig, why)
	// Should close throw, the socket is done with all the same: read
	// reports the 1009 and the supervisor's abort drops the socket.
	_, _ = t.ws.Call("close", int(code), reason)
	t.markClosed()
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func (t *browserTransport) read(ctx context.Context) (MessageType, []byte, error) {
	for {
		if m, ok := t.in.take(); ok {
			return m.typ, m.p, nil
		}
		t.more() // all taken was returned: the socket may read on
		select {
		case <-t.in.signal:
		case <-t.closed:
			if m, ok := t.in.take(); ok {
				return m.typ, m.p, nil
			}
			t.mu.Lock()
			defer t.mu.Unlock()
			if t.localErr != nil {
				return 0, nil, t.localErr
			}
			return 0, nil, &CloseError{Code: t.closeCode, Reason: t.reason}
		case <-ctx.Done():
			return 0, nil, ctx.Err()
		}
	}
}

// leftover returns what the socket received and read did not return: abort
// moved the helper's queue into the inbox before detaching it.
func (t *browserTransport) leftover() []inMsg {
	var out []inMsg
	for {
		m, ok := t.in.take()
		if !ok {
			return out
		}
		out = append(out, m)
	}
}
