package sdk

import (
	"context"
	"fmt"
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
	incoming atomic.Pointer[chan inMsg] // made with the first message: inbox.go
	events   *eventQueue

	// The app's Close and the Conn's end (kill) as plain fields, not
	// contexts: stop.go says why.
	closeReq atomic.Pointer[closeRequest] // the app's Close, once called
	done     chan struct{}                // closed when the Conn reached its final close

	mu sync.Mutex
	// What Close and kill interrupt (stop.go): stopped, killed once they
	// came; the attempt in flight's cancel; the open connection's end
	// (connEnd.kill) and its close, armed until the app's Close starts it.
	stopped, killed bool
	// stopCh is closed by Close or kill, whichever comes first: made
	// when a Write or a backoff wait needs it (stopChan). opened is
	// Dial's: closed (then dropped) on the first open; nil for New.
	stopCh, opened chan struct{}
	dialCancel     context.CancelFunc
	endCur         func()
	closer         *closer
	hs             hsRecord  // the last opening handshake, packed
	cur            transport // the open connection's; nil while not open
	// up: a connection is open or awaits the policy's verdict on its end.
	// down, made (while up) only when a Write waits for room, is closed
	// once that verdict came (see connGone).
	up         bool
	down       chan struct{}
	lastErr    error
	finalErr   error // set before done is closed
	closeError error // what Close returns
	// carried is what connections that ended had received and the app
	// had not taken yet, past what fit in incoming, oldest first (see
	// carry.go); carriedOut is closed when it empties (nil while empty).
	carried    []inMsg
	carriedOut chan struct{}
	kick       chan struct{} // a token when carried has messages for a waiting Read
	inboxMade  chan struct{} // closed when incoming is made (inbox.go)
	// appBlocked: the reader holds a message the app has not read yet.
	appBlocked atomic.Bool
	stats      connStats // Stats' counters (stats.go)
}

type inMsg struct {
	typ MessageType
	p   []byte
}

// closeRequest is the app's Close.
type closeRequest struct {
	code   StatusCode
	reason string
}

func (r *closeRequest) Error() string { return "redial: Close(" + r.code.String() + ") called" }

// incomingBuffer lets the reader run a little ahead of Read; small, so a
// slow reader still pushes back on the socket.
const incomingBuffer = 16

// maxCloseReason is RFC 6455's bound: a control frame payload is at most
// 125 bytes, 2 of which are the code.
const maxCloseReason = 123

// New returns a Conn at once and connects to url in the background, as a
// browser's new WebSocket(url) does: it never waits for the network. It
// returns an error only for what no attempt could fix: a bad url
// (*URLError) or opts (*OptionError). From then on the Conn behaves as
// after Dial: Write queues (bounded, see Write) until a connection opens,
// Read waits for a message, OnStateChange reports the first open or the
// failure; when the first connection cannot be made (a final failure, or
// the retry budget spent) Read and Write return an error matching
// ErrClosed that errors.As turns into the *HandshakeError, *CloseError or
// *DialError that ended it. Close stops the attempts.
func New(url string, opts *Options) (*Conn, error) {
	cfg, u, err := prepare(url, opts)
	if err != nil {
		return nil, err
	}
	return start(cfg, u, platformDial, nil), nil
}

// Dial is New, then a wait for the first connection: it returns once one
// is open. It retries retryable failures (with backoff, by the policy)
// until one opens, ctx ends, or the retry budget is spent; a final failure
// returns at once, typed: errors.As gives *HandshakeError, *CloseError,
// *URLError, *DialError or *OptionError. No error text holds url's
// password or query values (see RedactURL). After Dial returns, ctx no
// longer matters: the Conn reconnects on its own until Close or a final
// close.
func Dial(ctx context.Context, url string, opts *Options) (*Conn, error) {
	return dial(ctx, url, opts, platformDial)
}

// prepare checks what New and Dial are given.
func prepare(rawURL string, opts *Options) (*config, string, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, "", err
	}
	u := ""
	if cfg.URLFunc == nil || rawURL != "" {
		if u, err = normalizeURL(rawURL); err != nil {
			return nil, "", err
		}
	}
	return cfg, u, nil
}

// start makes the Conn and its supervisor; opened, if not nil, is closed
// on the first open.
func start(cfg *config, u string, df dialFunc, opened chan struct{}) *Conn {
	c := newConn(cfg, u, df)
	c.opened = opened
	go c.run()
	return c
}

func dial(ctx context.Context, rawURL string, opts *Options, df dialFunc) (*Conn, error) {
	if ctx == nil {
		return nil, ErrNilContext
	}
	cfg, u, err := prepare(rawURL, opts)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("redial: dial %s: %w", RedactURL(u), err)
	}
	opened := make(chan struct{})
	c := start(cfg, u, df, opened)
	select {
	case <-opened:
		return c, nil
	case <-c.done:
		select {
		case <-opened:
			// It opened, then closed for good at once: the app gets the
			// Conn, and Read tells it how it ended.
			return c, nil
		default:
		}
		c.events.wait()
		return nil, c.finalCause()
	case <-ctx.Done():
		select {
		case <-opened:
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
			return nil, fmt.Errorf("redial: dial %s: %w (last attempt: %w)", RedactURL(u), ctx.Err(), last)
		}
		return nil, fmt.Errorf("redial: dial %s: %w", RedactURL(u), ctx.Err())
	}
}

func newConn(cfg *config, u string, df dialFunc) *Conn {
	c := &Conn{
		cfg:    cfg,
		url:    u,
		dialFn: df,
		queue:  newSendQueue(cfg.MaxQueued, cfg.MaxQueuedBytes),
		kick:   make(chan struct{}, 1),
		events: newEventQueue(cfg.OnStateChange, cfg.log),
		opened: make(chan struct{}),
		done:   make(chan struct{}),
	}
	c.stats.begin(cfg.clock.Now())
	if cfg.Resume {
		c.enableResume()
	}
	return c
}

// Read returns the next message. It waits through reconnects; ctx ending
// interrupts only this call (the Conn stays up). A message that is ready
// is returned even when ctx has ended: Read with a done ctx takes what is
// ready without waiting, and reports ctx's error when nothing is. After a
// final close by the server or a final failure it returns, once every
// message received before is read, an error matching ErrClosed that
// errors.As turns into the *CloseError or *HandshakeError that ended it.
// After the app's own Close it returns an error matching ErrClosed at
// once: messages received and not yet read are discarded, as a browser's
// WebSocket delivers no message event after close() and coder/websocket's
// Read fails after Close; the app chose to stop.
//
// Messages and state changes are ordered as a browser WebSocket orders its
// message and close events: when Options.OnStateChange is called for the
// end of a connection (From StateOpen), every message that connection
// received is ready (a Read with a done ctx returns each, in order); and
// no message of a later connection is returned before OnStateChange
// returned for every event before it (that connection's StateOpen among
// them). So a callback must not wait for a Read of a later message.
func (c *Conn) Read(ctx context.Context) (MessageType, []byte, error) {
	if ctx == nil {
		return 0, nil, ErrNilContext
	}
	for {
		if req, closing := c.closeRequested(); closing {
			return 0, nil, c.closedByApp(req)
		}
		if m, ok := c.take(); ok {
			return m.typ, m.p, nil
		}
		in, made := c.inboxToWait()
		select {
		case <-made: // the first message came: wait on incoming
		case m := <-in:
			if req, closing := c.closeRequested(); closing { // Close was called while Read waited
				return 0, nil, c.closedByApp(req)
			}
			return m.typ, m.p, nil
		case <-c.kick: // carried has messages: take them
		case <-ctx.Done():
			return 0, nil, ctx.Err()
		case <-c.done:
			if req, closing := c.closeRequested(); closing {
				return 0, nil, c.closedByApp(req)
			}
			if m, ok := c.take(); ok {
				return m.typ, m.p, nil
			}
			return 0, nil, c.finalErr
		}
	}
}

// Write queues p (copied) for sending, in order, and returns. While the
// connection is open a full queue makes Write wait for room (until ctx
// ends); while it is down a full queue returns ErrQueueFull at once, so
// Write never blocks on a connection that is not there. A Write waiting
// for room when the connection ends waits on for the policy's verdict (a
// call of Options.Policy): ErrQueueFull if the Conn reconnects, else the
// final close's error. After Close or a final close it returns an error
// matching ErrClosed; a Write waiting for room when Close is called
// returns it at once, without waiting for Close to end.
//
// Delivery is at most once. A nil error means the message was queued, not
// that it arrived: what is still queued when a connection drops is sent,
// in order, on the next one, but a message already handed to the socket
// dies with the TCP stream and is not sent again. Measured through a proxy
// that resets the connection every 100 messages (BenchmarkLossAcrossCuts
// in bench/): 7,470 of 20,000 lost unpaced, 36 of 20,000 when paced;
// never a duplicate, never out of order. Where every message must arrive,
// use Options.Resume (with a server that speaks it): a message then stays
// queued until the server acknowledges it, and delivery is exactly once.
func (c *Conn) Write(ctx context.Context, typ MessageType, p []byte) error {
	if ctx == nil {
		return ErrNilContext
	}
	if typ != MessageText && typ != MessageBinary {
		return fmt.Errorf("%w %d: use MessageText or MessageBinary", ErrInvalidMessageType, typ)
	}
	if len(p) > c.cfg.MaxQueuedBytes {
		return fmt.Errorf("%w: %d bytes, more than Options.MaxQueuedBytes (%d)", ErrMessageTooBig, len(p), c.cfg.MaxQueuedBytes)
	}
	if _, ok := c.closeRequested(); ok {
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
		if c.up && c.down == nil {
			c.down = make(chan struct{})
		}
		down := c.down
		c.mu.Unlock()
		if down == nil {
			n, b := c.queue.size()
			return fmt.Errorf("%w while %v: %d messages, %d bytes queued", ErrQueueFull, c.State(), n, b)
		}
		select {
		case <-space:
		case <-down:
		case <-ctx.Done():
			return ctx.Err()
		case <-c.stopChan():
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
		return fmt.Errorf("%w: %v cannot be sent; use 1000–1003, 1007–1014 or 3000–4999", ErrInvalidCloseCode, code)
	}
	if len(reason) > maxCloseReason {
		return fmt.Errorf("%w: %d bytes; the limit is %d", ErrInvalidCloseReason, len(reason), maxCloseReason)
	}
	if !utf8.ValidString(reason) {
		return fmt.Errorf("%w: not valid UTF-8 at byte %d (RFC 6455 §5.5.1)", ErrInvalidCloseReason, invalidUTF8At(reason))
	}
	c.mu.Lock()
	if _, ok := c.closeRequested(); ok {
		c.mu.Unlock()
		// Like the first Close, return once the Conn reached its final
		// state and StateClosed was delivered (unless from the callback).
		<-c.done
		c.events.wait()
		return fmt.Errorf("redial: Close called twice: %w", ErrClosed)
	}
	cancel := c.requestCloseLocked(&closeRequest{code, reason})
	c.mu.Unlock()
	if cancel != nil {
		cancel()
	}
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
	return c.hs.subprotocol
}

// Handshake is the opening handshake of the current (or last) connection.
func (c *Conn) Handshake() Handshake {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hs.handshake()
}

// closedErr is what Write returns once the Conn is ending: while the
// app's Close runs, that it is closing; else (a final close under way)
// the final close's error, which follows at once.
func (c *Conn) closedErr() error {
	if _, ok := c.closeRequested(); ok {
		select {
		case <-c.done:
			return c.finalErr
		default:
			return fmt.Errorf("redial: connection is closing: %w", ErrClosed)
		}
	}
	<-c.done
	return c.finalErr
}

// closedByApp is what Read returns once the app called Close: the final
// error when the Conn already ended, else the local close it is ending
// with (the same *CloseError finish records), without waiting for it.
func (c *Conn) closedByApp(req *closeRequest) error {
	select {
	case <-c.done:
		return c.finalErr
	default:
		return &finalError{cause: &CloseError{Code: req.code, Reason: req.reason, Local: true}}
	}
}

// finalCause is the typed error that ended the Conn, for Dial to return.
func (c *Conn) finalCause() error {
	if fe, ok := c.finalErr.(*finalError); ok && fe.cause != nil {
		return fe.cause
	}
	return c.finalErr
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
