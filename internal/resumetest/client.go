// Package resumetest is a resume-protocol client for tests (server/ and
// server/redisstore share it), written on coder/websocket and
// internal/resumewire rather than the SDK, so that a test controls every
// frame and counter. Not for production use.
package resumetest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/redial-ws/redial/internal/resumewire"
)

// Client is a resume-protocol client written for tests on
// coder/websocket and internal/resumewire.
// Its state (session id, unacked outbound window, receiver counter)
// survives its connections, so it can crash-reconnect any number of
// times. Incoming messages go to onMsg in order, exactly once.
type Client struct {
	url      string
	ackEvery uint64
	onMsg    func(typ byte, p []byte)

	Win  *resumewire.Window
	recv resumewire.Receiver // owned by the current connection's reader

	mu      sync.Mutex
	id      resumewire.SessionID
	hasID   bool
	ackSent uint64
	pongs   []uint64 // PING nonces to answer, after the pending ACK
	welcome resumewire.Frame

	Conns     atomic.Int64 // connections that got a WELCOME
	Refused   atomic.Int64 // connections closed with 4013 (retried)
	AcksIn    atomic.Int64 // ACK frames received from the server
	DataIn    atomic.Int64 // data frames received (duplicates included)
	BytesIn   atomic.Int64 // bytes read from TCP
	BytesOut  atomic.Int64 // bytes written to TCP
	Connected chan struct{}
	closing   atomic.Bool
	cur       *websocket.Conn // guarded by mu
}

// ErrSessionLost: the server closed with 4504; Run returns it.
var ErrSessionLost = errors.New("test client: session lost (4504)")

// New returns a client for url (with ?redial-resume=1) that hands each
// incoming message to onMsg, in order, exactly once. Acks every 64.
func New(url string, onMsg func(byte, []byte)) *Client {
	return &Client{
		url: url, ackEvery: 64, onMsg: onMsg,
		Win:       resumewire.NewWindow(1024, 1<<20, 0),
		Connected: make(chan struct{}, 1),
	}
}

// Send queues a message (waits while the window is full).
func (c *Client) Send(ctx context.Context, kind byte, p []byte) error {
	_, err := c.Win.Push(ctx, kind, p)
	return err
}

// Run connects and reconnects until ctx ends, stop says so, or the
// server ends the session; it returns the close that ended it.
func (c *Client) Run(ctx context.Context) error {
	for {
		err := c.connectOnce(ctx)
		wait := time.Millisecond
		var ce websocket.CloseError
		switch {
		case c.closing.Load():
			return nil
		case ctx.Err() != nil:
			return context.Cause(ctx)
		case errors.Is(err, ErrSessionLost):
			return err
		case errors.As(err, &ce) && ce.Code == 4013:
			c.Refused.Add(1) // store unavailable: retry with backoff (docs/resume.md)
			wait = 20 * time.Millisecond
		case errors.As(err, &ce):
			return err
		}
		// Dial failures and cuts: retry at once (loopback), bounded by ctx.
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-time.After(wait):
		}
	}
}

// Dial opens a WebSocket counting the bytes on the wire.
func (c *Client) Dial(ctx context.Context, url string) (*websocket.Conn, error) {
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		nc, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &countConn{Conn: nc, in: &c.BytesIn, out: &c.BytesOut}, nil
	}}
	ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: &http.Client{Transport: tr}})
	return ws, err
}

// connectOnce runs one connection: HELLO, WELCOME, replay, traffic.
func (c *Client) connectOnce(ctx context.Context) error {
	dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ws, err := c.Dial(dctx, c.url)
	if err != nil {
		return err
	}
	defer ws.CloseNow()
	ws.SetReadLimit(1 << 20)
	c.mu.Lock()
	hello := resumewire.Frame{Kind: resumewire.KindHello, Version: resumewire.Version, N: c.recv.Accepted()}
	if c.hasID {
		hello.Flags, hello.ID = resumewire.FlagResume, c.id
	}
	c.mu.Unlock()
	if err := ws.Write(dctx, websocket.MessageBinary, resumewire.Append(nil, &hello)); err != nil {
		return err
	}
	typ, b, err := ws.Read(dctx)
	if err != nil {
		if websocket.CloseStatus(err) == 4504 {
			return ErrSessionLost
		}
		return err
	}
	w, err := resumewire.Decode(b)
	if err != nil || typ != websocket.MessageBinary || w.Kind != resumewire.KindWelcome {
		return errors.New("test client: no WELCOME")
	}
	if c.hasID && (w.ID != c.id || w.Flags != resumewire.FlagResume) {
		return errors.New("test client: WELCOME for another session")
	}
	if _, err := c.Win.Ack(w.N); err != nil {
		return err
	}
	if w.N < c.Win.Acked() {
		return errors.New("test client: server delivered less than it acked")
	}
	c.mu.Lock()
	c.id, c.hasID, c.welcome = w.ID, true, w
	c.cur = ws
	c.ackSent = c.recv.Accepted()
	c.mu.Unlock()
	c.Conns.Add(1)
	select {
	case c.Connected <- struct{}{}:
	default:
	}

	cctx, ccancel := context.WithCancel(ctx)
	defer ccancel()
	kick := make(chan struct{}, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer ccancel()
		c.writeLoop(cctx, ws, w.N, kick)
	}()
	err = c.readLoop(cctx, ws, kick)
	ccancel()
	wg.Wait()
	return err
}

func (c *Client) readLoop(ctx context.Context, ws *websocket.Conn, kick chan struct{}) error {
	for {
		typ, b, err := ws.Read(ctx)
		if err != nil {
			if websocket.CloseStatus(err) == 4504 {
				return ErrSessionLost
			}
			return err
		}
		f, err := resumewire.Decode(b)
		if err != nil || typ != websocket.MessageBinary {
			return errors.New("test client: bad frame from server")
		}
		switch f.Kind {
		case resumewire.KindDataText, resumewire.KindDataBinary:
			c.DataIn.Add(1)
			c.mu.Lock()
			v, err := c.recv.Accept(f.N)
			due := c.recv.Accepted()-c.ackSent >= c.ackEvery
			c.mu.Unlock()
			if err != nil {
				return err
			}
			if v == resumewire.Deliver {
				c.onMsg(f.Kind, f.Payload)
			}
			if due {
				Ring(kick)
			}
		case resumewire.KindAck:
			c.AcksIn.Add(1)
			if _, err := c.Win.Ack(f.N); err != nil {
				return err
			}
		case resumewire.KindPing: // asks for the pending ACK, then the PONG
			c.mu.Lock()
			c.pongs = append(c.pongs, f.N)
			c.mu.Unlock()
			Ring(kick)
		case resumewire.KindPong:
		default:
			return errors.New("test client: unexpected " + resumewire.KindName(f.Kind))
		}
	}
}

// Ring sends on ch without blocking (a doorbell).
func Ring(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// writeLoop replays everything after sent, then new frames, and acks
// cumulatively every ackEvery messages, 20 ms after the first unacked, or
// when a PING asked (then it answers the PING).
func (c *Client) writeLoop(ctx context.Context, ws *websocket.Conn, sent uint64, kick chan struct{}) {
	var frames []resumewire.Sent
	var buf []byte
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		added := c.Win.Added()
		var err error
		frames, err = c.Win.From(sent, frames[:0])
		if err != nil {
			return
		}
		for _, f := range frames {
			buf = resumewire.AppendData(buf[:0], f.Kind, f.Seq, f.Payload)
			if ws.Write(ctx, websocket.MessageBinary, buf) != nil {
				return
			}
			sent = f.Seq
		}
		clear(frames)
		timed := false
		select {
		case <-added:
		case <-kick:
		case <-tick.C:
			timed = true
		case <-ctx.Done():
			return
		}
		c.mu.Lock()
		acc, ackSent, pongs := c.recv.Accepted(), c.ackSent, c.pongs
		c.pongs = nil
		c.mu.Unlock()
		if acc > ackSent && (timed || len(pongs) > 0 || acc-ackSent >= c.ackEvery) {
			if ws.Write(ctx, websocket.MessageBinary, resumewire.AppendControl(nil, resumewire.KindAck, acc)) != nil {
				return
			}
			c.mu.Lock()
			c.ackSent = acc
			c.mu.Unlock()
		}
		for _, n := range pongs {
			if ws.Write(ctx, websocket.MessageBinary, resumewire.AppendControl(nil, resumewire.KindPong, n)) != nil {
				return
			}
		}
	}
}

// Close ends the session: a last cumulative ACK, then close 1000.
func (c *Client) Close(ctx context.Context) error {
	c.closing.Store(true)
	c.mu.Lock()
	ws, acc := c.cur, c.recv.Accepted()
	c.mu.Unlock()
	if ws == nil {
		return errors.New("test client: never connected")
	}
	_ = ws.Write(ctx, websocket.MessageBinary, resumewire.AppendControl(nil, resumewire.KindAck, acc))
	return ws.Close(websocket.StatusNormalClosure, "done")
}

// countConn counts the bytes a connection carries.
type countConn struct {
	net.Conn
	in, out *atomic.Int64
}

func (c *countConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.in.Add(int64(n))
	return n, err
}

func (c *countConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.out.Add(int64(n))
	return n, err
}
