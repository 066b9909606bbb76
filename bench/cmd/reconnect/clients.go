package main

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/recws-org/recws"

	"github.com/redial-ws/redial/bench/internal/benchkit"
	"github.com/redial-ws/redial/sdk"
)

// probe is one client under test, as the measurement sees it: when each
// connection opened, when each message arrived, and (redial only) each
// backoff wait it drew.
type probe struct {
	opens  chan time.Time
	msgs   chan time.Time
	delays chan time.Duration
	stop   func()
}

func newProbe() *probe {
	return &probe{opens: make(chan time.Time, 64), msgs: make(chan time.Time, 64), delays: make(chan time.Duration, 64)}
}

// contender dials one client at url. reuse: one client serves several
// trials (recws: its Dial sleeps 2 s, its HandshakeTimeout, before it
// returns; its backoff restarts with every reconnect, so reuse changes
// nothing).
type contender struct {
	name  string
	reuse bool
	dial  func(url string) (*probe, error)
}

func redialContender(name string, b sdk.Backoff) contender {
	return contender{name: name, dial: func(url string) (*probe, error) {
		p := newProbe()
		opts := &sdk.Options{Backoff: b, OnStateChange: func(e sdk.StateChange) {
			now := time.Now()
			switch e.To {
			case sdk.StateOpen:
				p.opens <- now
			case sdk.StateReconnecting:
				p.delays <- e.Delay
			}
		}}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := sdk.Dial(ctx, url, opts)
		if err != nil {
			return nil, err
		}
		benchkit.ReadLoop(func() error { _, _, err := c.Read(context.Background()); return err },
			func() { p.msgs <- time.Now() })
		p.stop = func() { c.Close(sdk.StatusNormalClosure, "") }
		return p, nil
	}}
}

// recwsContender is recws at its defaults (2 s initial, ×1.5, 30 s max,
// jittered), read as its README does: ReadMessage in a loop, which returns
// ErrNotConnected at once while it is down, so the loop polls every 1 ms
// (the resolution of the message times below).
var recwsContender = contender{name: "recws", reuse: true, dial: func(url string) (*probe, error) {
	p := newProbe()
	rc := &recws.RecConn{NonVerbose: true}
	rc.SubscribeHandler = func() error { p.opens <- time.Now(); return nil }
	rc.Dial(url, nil)
	var stopped atomic.Bool
	go func() {
		for !stopped.Load() {
			if !rc.IsConnected() {
				time.Sleep(time.Millisecond)
				continue
			}
			if _, _, err := rc.ReadMessage(); err == nil {
				p.msgs <- time.Now()
			}
		}
	}()
	// recws has no way to stop reconnecting: once the server is gone, its
	// redial loop keeps trying until this process exits.
	p.stop = func() { stopped.Store(true); rc.Close() }
	return p, nil
}}

// floorName is the lower bound: a raw coder/websocket client that the app
// redials by hand, at once and then every 1 ms until it opens. It costs
// what any reconnect costs past its wait: noticing the drop, then one
// handshake, under the same load as the others.
const floorName = "floor"

var floorContender = contender{name: floorName, dial: func(url string) (*probe, error) {
	p := newProbe()
	ctx, cancel := context.WithCancel(context.Background())
	connect := func() *websocket.Conn {
		for ctx.Err() == nil {
			if c, _, err := websocket.Dial(ctx, url, nil); err == nil {
				p.opens <- time.Now()
				return c
			}
			time.Sleep(time.Millisecond)
		}
		return nil
	}
	c, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		cancel()
		return nil, err
	}
	p.opens <- time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for c != nil {
			for {
				if _, _, err := c.Read(ctx); err != nil {
					break
				}
				p.msgs <- time.Now()
			}
			c.CloseNow()
			c = connect()
		}
	}()
	p.stop = func() { cancel(); <-done }
	return p, nil
}}
