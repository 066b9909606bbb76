package sdk

import (
	"context"
	"errors"
)

// transport is one WebSocket connection as the platform provides it. The
// supervisor owns it; implementations live in transport_native.go (over
// coder/websocket) and transport_js.go (over the browser's WebSocket).
//
// Read returns a *CloseError when the connection ended with a close frame
// (or with no frame: Code 1006), so the supervisor can apply the policy.
// read and write may run concurrently with each other and with ping;
// close may run concurrently with all of them.
type transport interface {
	read(ctx context.Context) (MessageType, []byte, error)
	write(ctx context.Context, typ MessageType, p []byte) error
	// ping sends a ping and waits for its pong; errPingUnsupported where
	// the platform cannot (the browser).
	ping(ctx context.Context) error
	// close sends a close frame and waits (bounded) for the peer's.
	close(code StatusCode, reason string) error
	// abort drops the connection at once, with no close handshake.
	abort()
	handshake() Handshake
	// buffered is the bytes accepted by write and not yet on the wire,
	// where the platform can tell (the browser's bufferedAmount); else 0.
	buffered() int
	// canPing is false where ping always fails with errPingUnsupported.
	canPing() bool
	// received records when the transport last handed over a message: the
	// heartbeat's proof of life besides a pong.
	received() *rxMark
	// leftover, after abort, returns in order the messages the platform
	// had handed over and read had not returned yet (the browser queues
	// them in JS and in an inbox), so the Conn can still deliver them:
	// bytes the platform gave us are never dropped by a local abort.
	leftover() []inMsg
}

// dialFunc opens one transport. It returns a *HandshakeError when the
// server answered the upgrade with anything but a good 101.
type dialFunc func(ctx context.Context, url string, cfg *config, header map[string][]string) (transport, error)

var errPingUnsupported = errors.New("redial: ping not supported on this platform")
