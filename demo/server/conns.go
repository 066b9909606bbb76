package main

import (
	"fmt"
	"strings"

	"github.com/coder/websocket"

	"github.com/redial-ws/redial/internal/faults"
)

// wsConn is one live WebSocket connection of a client on one endpoint. Its
// Live is the socket the control API cuts, stalls and closes; its
// Context ends when the connection ends (or is cut): every read, write and
// wait of its goroutines is bound to it.
type wsConn struct {
	*faults.Live
	id     uint64
	client string      // ?client= on the WebSocket URL; "" when absent
	kind   string      // "echo", "ticker" or "chat"
	send   chan outMsg // to the writer; ticks and chat are dropped when full (nil: resume)
	// resume: a /ws/ticker?redial-resume=1 connection, served by the
	// resume server half (resume.go), which owns its websocket.Conn.
	resume bool
}

type outMsg struct {
	typ websocket.MessageType
	p   []byte
}

// sendBuffer: 25 s of ticks. A connection that falls further behind (or is
// stalled) misses ticks, and the page sees the gap.
const sendBuffer = 256

// trySend queues m unless the buffer is full or the connection is stalled:
// a half-open connection loses what is sent meanwhile, as a real one would.
func (e *wsConn) trySend(m outMsg) bool {
	if e.Stalled() {
		return false
	}
	select {
	case e.send <- m:
		return true
	default:
		return false
	}
}

// target selects connections for a fault.
type target struct {
	all    bool   // every client (no ?client= on the control call)
	client string // else this client only
	kind   string // "" for every endpoint
}

func (t target) String() string {
	var b strings.Builder
	if t.all {
		b.WriteString("all clients")
	} else {
		fmt.Fprintf(&b, "client %q", t.client)
	}
	if t.kind != "" {
		b.WriteString(" on /ws/" + t.kind)
	}
	return b.String()
}

func (t target) matches(e *wsConn) bool {
	return (t.all || e.client == t.client) && (t.kind == "" || e.kind == t.kind)
}

func (s *Server) targets(t target) []*wsConn { return s.conns.List(t.matches) }
