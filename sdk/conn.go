package sdk

import (
	"context"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// Conn is a WebSocket connection that stays up: it reconnects by policy
// behind one Read/Write/Close API. All methods are safe for concurrent use.
type Conn struct {
	cfg    *config
	url    string // normalized; "" when URLFunc provides it
	dialFn dialFunc

	state    atomic.Int32
	queue    *sendQueue
	incoming chan inMsg
	events   *eventQueue

	closing   atomic.Bool
	closeWake chan struct{} // closed by the app's Close
	// closeCtx ends with the app's Close: dials in flight give up at once.
	closeCtx    context.Context
	closeCancel context.CancelFunc
	opened      chan struct{}   // closed on the first open (Dial waits on it)
	done        chan struct{}   // closed when the Conn reached its final close
	life        context.Context // ends with the Conn
	kill        context.CancelFunc

	mu         sync.Mutex
	hs         Handshake
	cur        transport     // the open connection's; nil while not open
	down       chan struct{} // open connection's end; nil while not open
	lastErr    error
	finalErr   error // set before done is closed
	closeError error // what Close returns
	closeArgs  closeRequest
	// carried is what connections that ended had received and the app
	// had not taken yet, oldest first; the next reader hands it over first.
	carried     []inMsg
	carrierDone chan struct{} // closed when the carrier (see carry) ends; nil: none ran
	// appBlocked: the reader holds a message the app has not read yet.
	appBlocked atomic.Bool
}

type inMsg struct {
	typ MessageType
	p   []byte
}

type closeRequest struct {
	code   StatusCode
	reason string
}

// incomingBuffer lets the reader run a little ahead of Read; small, so a
// slow reader still pushes back on the socket.
const incomingBuffer = 16

// maxCloseReason is RFC 6455's bound: a control frame payload is at most
// 125 bytes, 2 of which are the code.
const maxCloseReason = 123

// Dial connects to url and returns once the first connection is open. It
// retries retryable failures (with backoff, by the policy) until one opens,
// ctx ends, or the retry budget is spent; a final failure returns at once,
// typed: errors.As gives *HandshakeError, *CloseError, *URLError,
// *DialError or *OptionError. No error text holds url's password or query
// values (see RedactURL). After Dial returns, ctx no longer matters: the Conn
// reconnects on its own until Close or a final close.
func Dial(ctx context.Context, url string, opts *Options) (*Conn, error) {
	return dial(ctx, url, opts, platformDial)
}

func dial(ctx context.Context, rawURL string, opts *Options, df dialFunc) (*Conn, error) {
	if ctx == nil {
		return nil, ErrNilContext
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	u := ""
	if cfg.URLFunc == nil || rawURL != "" {
		if u, err = normalizeURL(rawURL); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, wrap("redial: dial "+RedactURL(u)+": "+err.Error(), err)
	}
	c := newConn(cfg, u, df)
	go c.run()
	select {
	case <-c.opened:
		return c, nil
	case <-c.done:
		select {
		case <-c.opened:
			// It opened, then closed for good at once: the app gets the
			// Conn, and Read tells it how it ended.
			return c, nil
		default:
		}
		c.events.wait()
		return nil, c.finalCause()
	case <-ctx.Done():
		select {
		case <-c.opened:
			return c, nil // it opened just as ctx ended: the work is done
		default:
		}
		c.kill()
		<-c.done
		c.events.wait()
		c.mu.Lock()
		last := c.lastErr
		c.mu.Unlock()
		if last != nil {
			return nil, wrap("redial: dial "+RedactURL(u)+": "+ctx.Err().Error()+" (last attempt: "+last.Error()+")", ctx.Err(), last)
		}
		return nil, wrap("redial: dial "+RedactURL(u)+": "+ctx.Err().Error(), ctx.Err())
	}
}

func newConn(cfg *config, u string, df dialFunc) *Conn {
	life, kill := context.WithCancel(context.Background())
	closeCtx, closeCancel := context.WithCancel(life)
	return &Conn{
		closeCtx:    closeCtx,
		closeCancel: closeCancel,
		cfg:         cfg,
		url:         u,
		dialFn:      df,
		queue:       newSendQueue(cfg.MaxQueued, cfg.MaxQueuedBytes),
		incoming:    make(chan inMsg, incomingBuffer),
		events:      newEventQueue(cfg.OnStateChange, cfg.log),
		closeWake:   make(chan struct{}),
		opened:      make(chan struct{}),
		done:        make(chan struct{}),
		life:        life,
		kill:        kill,
	}
}

// Read returns the next message. It waits through reconnects; ctx ending
// interrupts only this call (the Conn stays up). After a final close by
// the server or a final failure it returns, once every message received
// before is read, an error matching ErrClosed that errors.As turns into
// the *CloseError or *HandshakeError that ended it. After the app's own
// Close it returns an error matching ErrClosed at once: messages received
// and not yet read are discarded, as a browser's WebSocket delivers no
// message event after close() and coder/websocket's Read fails after
// Close; the app chose to stop.
func (c *Conn) Read(ctx context.Context) (MessageType, []byte, error) {
	if ctx == nil {
		return 0, nil, ErrNilContext
	}
	if c.closing.Load() {
		return 0, nil, c.closedErr()
	}
	select {
	case m := <-c.incoming:
		if c.closing.Load() { // Close was called while Read waited
			return 0, nil, c.closedErr()
		}
		return m.typ, m.p, nil
	case <-ctx.Done():
		return 0, nil, ctx.Err()
	case <-c.done:
		c.waitCarrier(nil) // it ends with the Conn
		select {
		case m := <-c.incoming:
			return m.typ, m.p, nil
		default:
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if len(c.carried) > 0 {
			m := c.carried[0]
			c.carried = c.carried[1:]
			return m.typ, m.p, nil
		}
		return 0, nil, c.finalErr
	}
}

// Write queues p (copied) for sending, in order, and returns. While the
// connection is open a full queue makes Write wait for room (until ctx
// ends); while it is down a full queue returns ErrQueueFull at once, so
// Write never blocks on a connection that is not there. After Close or a
// final close it returns an error matching ErrClosed; a Write waiting for
// room when Close is called returns it at once, without waiting for Close
// to end.
//
// Delivery is at most once. A nil error means the message was queued, not
// that it arrived: what is still queued when a connection drops is sent,
// in order, on the next one, but a message already handed to the socket
// dies with the TCP stream and is not sent again. Measured through a proxy
// that resets the connection every 100 messages (BenchmarkLossAcrossCuts
// in bench/): 7,470 of 20,000 lost unpaced, 36 of 20,000 when paced;
// never a duplicate, never out of order. Where every message must arrive,
// the application acknowledges them itself (a resume protocol that does
// this for both directions is planned: see the README).
func (c *Conn) Write(ctx context.Context, typ MessageType, p []byte) error {
	if ctx == nil {
		return ErrNilContext
	}
	if typ != MessageText && typ != MessageBinary {
		return wrap(ErrInvalidMessageType.Error()+" "+itoa(int(typ))+": use MessageText or MessageBinary", ErrInvalidMessageType)
	}
	if len(p) > c.cfg.MaxQueuedBytes {
		return wrap(ErrMessageTooBig.Error()+": "+itoa(len(p))+" bytes, more than Options.MaxQueuedBytes ("+itoa(c.cfg.MaxQueuedBytes)+")", ErrMessageTooBig)
	}
	if c.closing.Load() {
		return c.closedErr()
	}
	m := outMsg{typ: typ, p: append([]byte(nil), p...)}
	for {
		space, err := c.queue.push(m)
		if err == nil {
			return nil
		}
		if err == errQueueClosed {
			return c.closedErr()
		}
		c.mu.Lock()
		down := c.down
		c.mu.Unlock()
		if down == nil {
			n, b := c.queue.size()
			return wrap(ErrQueueFull.Error()+": "+itoa(n)+" messages, "+itoa(b)+" bytes queued while "+c.State().String(), ErrQueueFull)
		}
		select {
		case <-space:
		case <-down:
		case <-ctx.Done():
			return ctx.Err()
		case <-c.closeWake:
			// Close flushes only what is queued already: a writer still
			// waiting for room would wait for nothing (a stalled peer
			// keeps Close busy for its whole bound).
			return c.closedErr()
		case <-c.done:
			return c.finalErr
		}
	}
}

// Close ends the Conn for good: it sends what is queued (for at most
// closeFlushTimeout, 2 s, if open), then a close frame with code and
// reason, waits for the peer's (the close handshake, RFC 6455 §7.1.2; at
// most closeHandshakeTimeout, 2 s, then the connection is dropped), and
// stops every goroutine it started. So Close returns within 4 s, even
// against a peer that stopped reading (then, when the queue did not
// drain, no close frame is attempted: within about 2 s). Writes waiting
// for room in the queue return an error matching ErrClosed as soon as
// Close is called. Close returns once the final StateChange (StateClosed)
// was delivered to Options.OnStateChange, unless it is called from inside
// that callback. It returns an *UnsentError if queued messages could not
// be sent.
//
// A code that cannot be sent (1005, 1006, 1015, unassigned 1xxx, beyond
// 4999; RFC 6455 §7.4) is refused with an error matching
// ErrInvalidCloseCode, a reason over 123 bytes (§5.5) or not valid UTF-8
// (§5.5.1) with one matching ErrInvalidCloseReason; nothing is closed
// then. A second Close returns an error matching ErrClosed.
func (c *Conn) Close(code StatusCode, reason string) error {
	if !code.sendable() {
		return wrap(ErrInvalidCloseCode.Error()+": "+code.String()+" cannot be sent; use 1000–1003, 1007–1014 or 3000–4999", ErrInvalidCloseCode)
	}
	if len(reason) > maxCloseReason {
		return wrap(ErrInvalidCloseReason.Error()+": "+itoa(len(reason))+" bytes; the limit is "+itoa(maxCloseReason), ErrInvalidCloseReason)
	}
	if !utf8.ValidString(reason) {
		return wrap(ErrInvalidCloseReason.Error()+": not valid UTF-8 at byte "+itoa(invalidUTF8At(reason))+" (RFC 6455 §5.5.1)", ErrInvalidCloseReason)
	}
	if !c.closing.CompareAndSwap(false, true) {
		// Like the first Close, return once the Conn reached its final
		// state and StateClosed was delivered (unless from the callback).
		<-c.done
		c.events.wait()
		return wrap("redial: Close called twice: "+ErrClosed.Error(), ErrClosed)
	}
	c.mu.Lock()
	c.closeArgs = closeRequest{code, reason}
	c.mu.Unlock()
	close(c.closeWake)
	c.closeCancel()
	<-c.done
	c.events.wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeError
}

// State is where the Conn is now.
func (c *Conn) State() State { return State(c.state.Load()) }

// Subprotocol is the subprotocol the server agreed to on the current (or
// last) connection.
func (c *Conn) Subprotocol() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hs.Subprotocol
}

// Handshake is the opening handshake of the current (or last) connection.
func (c *Conn) Handshake() Handshake {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hs.clone()
}

func (c *Conn) closedErr() error {
	select {
	case <-c.done:
		return c.finalErr
	default:
		return wrap("redial: connection is closing: "+ErrClosed.Error(), ErrClosed)
	}
}

// finalCause is the typed error that ended the Conn, for Dial to return.
func (c *Conn) finalCause() error {
	if fe, ok := c.finalErr.(*finalError); ok && fe.cause != nil {
		return fe.cause
	}
	return c.finalErr
}

// TryRead returns the next message if one is ready, and false at once if
// none is: it never waits. It is Read for a caller that, having waited for
// one message with Read, takes what else is ready in the same go (redial-ws's
// wasm build hands the page a batch per call into JS). After the final close
// it returns false (after the app's Close, at once); Read then reports how
// the Conn ended.
func (c *Conn) TryRead() (MessageType, []byte, bool) {
	if c.closing.Load() { // as Read: nothing after the app's Close
		return 0, nil, false
	}
	select {
	case m := <-c.incoming:
		return m.typ, m.p, true
	default:
		return 0, nil, false
	}
}

// BufferedAmount is the number of bytes written and not yet sent: the send
// queue, plus, in the browser, the socket's own bufferedAmount (the JS
// API's RedialSocket.bufferedAmount).
func (c *Conn) BufferedAmount() int {
	_, n := c.queue.size()
	c.mu.Lock()
	t := c.cur
	c.mu.Unlock()
	if t != nil {
		n += t.buffered()
	}
	return n
}
