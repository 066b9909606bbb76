package sdk

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redial-ws/redial/internal/resumewire"
)

// resumeTransport is one WebSocket connection speaking the resume protocol
// (docs/resume.md) over the platform's transport, after the opening
// exchange: every app message goes out as a DATA frame with its seq, what
// comes in is sequenced (duplicates of a replay dropped, a gap fatal),
// ACKs go out batched, and ping is the protocol's PING/PONG on both
// platforms: the browser has no WebSocket ping, and one path everywhere
// means one stall detector (a stalled socket is declared dead within
// 2 × HeartbeatInterval + the pong wait by the heartbeat, heartbeat.go).
type resumeTransport struct {
	transport // the WebSocket: handshake, buffered, received as they are
	s         *resumeSession
	every     uint64        // ACK after this many delivered messages…
	delay     time.Duration // … or this long after the first unacknowledged one

	wmu sync.Mutex // one frame at a time on the socket: data, ACK, PING, PONG
	buf []byte     // guarded by wmu

	due      chan struct{} // a token when a message was delivered
	ctx      context.Context
	stop     context.CancelFunc
	stopOnce sync.Once
	wg       sync.WaitGroup

	pmu   sync.Mutex
	nonce uint64
	pings map[uint64]chan struct{}

	asked atomic.Bool // a PING asked the server for an ACK; cleared by its next ACK (resume_ackask.go)
}

// Ack batching when the server's WELCOME leaves it open (0): the
// protocol's defaults, docs/resume.md "Acknowledgements".
const (
	defaultAckEvery = 64
	defaultAckDelay = 50 * time.Millisecond
)

func newResumeTransport(t transport, s *resumeSession, w *resumewire.Frame, cfg *config) *resumeTransport {
	ctx, stop := context.WithCancel(context.Background())
	rt := &resumeTransport{
		transport: t, s: s,
		every: w.AckEvery, delay: time.Duration(w.AckDelayMS) * time.Millisecond,
		due: make(chan struct{}, 1), ctx: ctx, stop: stop,
		pings: make(map[uint64]chan struct{}),
	}
	if rt.every == 0 {
		rt.every = defaultAckEvery
	}
	if rt.delay <= 0 {
		rt.delay = defaultAckDelay
	}
	rt.wg.Go(func() { rt.ackLoop(cfg) })
	return rt
}

// read returns the next app message: the payload of the next DATA frame
// in sequence. Control frames are handled on the way. A message read here
// is delivered: the Conn hands it to Read's buffer and keeps it across
// reconnects (carry.go), so it is counted for the next ACK at once.
func (t *resumeTransport) read(ctx context.Context) (MessageType, []byte, error) {
	for {
		typ, b, err := t.transport.read(ctx)
		if err != nil {
			return 0, nil, t.s.closeErr(err)
		}
		if typ != MessageBinary {
			return 0, nil, t.fail(StatusProtocolError, "a text message on a resume connection")
		}
		f, err := resumewire.Decode(b)
		if err != nil {
			if errors.Is(err, resumewire.ErrInvalidUTF8) {
				return 0, nil, t.fail(StatusInvalidFramePayloadData, "DATA_TEXT payload is not UTF-8")
			}
			return 0, nil, t.fail(StatusProtocolError, err.Error())
		}
		m, deliver, err := t.handle(ctx, &f)
		if err != nil {
			return 0, nil, err
		}
		if deliver {
			return m.typ, m.p, nil
		}
	}
}

// handle applies one decoded frame; deliver: m is the app's.
func (t *resumeTransport) handle(ctx context.Context, f *resumewire.Frame) (m inMsg, deliver bool, err error) {
	switch f.Kind {
	case resumewire.KindDataText, resumewire.KindDataBinary:
		v, err := t.s.accept(f.N)
		if err != nil {
			return m, false, t.fail(StatusProtocolError, err.Error())
		}
		if v != resumewire.Deliver {
			return m, false, nil // a replay that crossed our ACK
		}
		select {
		case t.due <- struct{}{}:
		default:
		}
		typ := MessageBinary
		if f.Kind == resumewire.KindDataText {
			typ = MessageText
		}
		return inMsg{typ, f.Payload}, true, nil
	case resumewire.KindAck:
		if err := t.s.q.ack(f.N); err != nil {
			return m, false, t.fail(StatusProtocolError, "ACK for a seq never sent")
		}
		t.asked.Store(false)
		t.askIfDue(ctx) // still half full: ask again
	case resumewire.KindPing:
		// A PING asks for the pending ACK (resume_ackask.go), then the
		// PONG. A failed socket shows in the next read.
		if n, ok := t.s.pendingAck(); ok && t.send(ctx, resumewire.KindAck, n) == nil {
			t.s.acked(n)
		}
		_ = t.send(ctx, resumewire.KindPong, f.N)
	case resumewire.KindPong:
		t.pmu.Lock()
		if ch, ok := t.pings[f.N]; ok {
			close(ch)
			delete(t.pings, f.N)
		}
		t.pmu.Unlock()
	default: // HELLO, WELCOME after the opening exchange
		return m, false, t.fail(StatusProtocolError, "unexpected "+resumewire.KindName(f.Kind))
	}
	return m, false, nil
}

// fail closes the connection for a protocol violation and returns the
// final *CloseError.
func (t *resumeTransport) fail(code StatusCode, why string) error {
	err := protocolError(code, why)
	_ = t.transport.close(code, "resume: protocol error")
	return err
}

// write sends an app message as the DATA frame of the queue's item being
// written (resume_queue.go gives its seq).
func (t *resumeTransport) write(ctx context.Context, typ MessageType, p []byte) error {
	seq := t.s.q.sending()
	kind := resumewire.KindDataBinary
	if typ == MessageText {
		kind = resumewire.KindDataText
	}
	t.wmu.Lock()
	t.buf = resumewire.AppendData(t.buf[:0], kind, seq, p)
	err := t.transport.write(ctx, MessageBinary, t.buf)
	t.wmu.Unlock()
	if err != nil {
		return err
	}
	t.askIfDue(ctx)
	return nil
}

// send writes a control frame (ACK, PING, PONG).
func (t *resumeTransport) send(ctx context.Context, kind byte, n uint64) error {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	t.buf = resumewire.AppendControl(t.buf[:0], kind, n)
	return t.transport.write(ctx, MessageBinary, t.buf)
}

// ping sends PING and waits for its PONG (docs/resume.md, "Liveness").
func (t *resumeTransport) ping(ctx context.Context) error {
	t.pmu.Lock()
	t.nonce++
	n := t.nonce
	ch := make(chan struct{})
	t.pings[n] = ch
	t.pmu.Unlock()
	defer func() {
		t.pmu.Lock()
		delete(t.pings, n)
		t.pmu.Unlock()
	}()
	if err := t.send(ctx, resumewire.KindPing, n); err != nil {
		return err
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.ctx.Done():
		return errNotOpenResume
	}
}

var errNotOpenResume = errors.New("redial: resume connection ended")

func (t *resumeTransport) canPing() bool { return true }

// close sends the pending ACK, then the close frame (docs/resume.md,
// "Closing").
func (t *resumeTransport) close(code StatusCode, reason string) error {
	if n, ok := t.s.pendingAck(); ok && t.send(t.ctx, resumewire.KindAck, n) == nil {
		t.s.acked(n)
	}
	t.halt()
	return t.transport.close(code, reason)
}

func (t *resumeTransport) abort() {
	t.transport.abort()
	t.halt()
}

// halt ends the ACK loop and waits for it.
func (t *resumeTransport) halt() {
	t.stopOnce.Do(func() {
		t.stop()
		t.wg.Wait()
	})
}

// leftover runs what the platform had received and read had not returned
// (the browser's queue) through the protocol, as read would have.
func (t *resumeTransport) leftover() []inMsg {
	var out []inMsg
	for _, raw := range t.transport.leftover() {
		if raw.typ != MessageBinary {
			break
		}
		f, err := resumewire.Decode(raw.p)
		if err != nil {
			break
		}
		m, deliver, err := t.handle(t.ctx, &f)
		if err != nil {
			break
		}
		if deliver {
			out = append(out, m)
		}
	}
	return out
}

// ackLoop sends ACK after every delivered messages or delay after the
// first unacknowledged one, whichever comes first.
func (t *resumeTransport) ackLoop(cfg *config) {
	for {
		select {
		case <-t.ctx.Done():
			return
		case <-t.due:
		}
		timer := cfg.clock.NewTimer(t.delay)
	wait:
		for {
			n, ok := t.s.pendingAck()
			if !ok {
				break
			}
			t.s.mu.Lock()
			full := n-t.s.ackSent >= t.every
			t.s.mu.Unlock()
			if full {
				break
			}
			select {
			case <-t.due:
			case <-timer.C():
				break wait
			case <-t.ctx.Done():
				timer.Stop()
				return
			}
		}
		timer.Stop()
		if n, ok := t.s.pendingAck(); ok {
			if t.send(t.ctx, resumewire.KindAck, n) != nil {
				return
			}
			t.s.acked(n)
		}
	}
}
