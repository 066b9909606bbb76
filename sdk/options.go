package sdk

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/redial-ws/redial/internal/sdkhooks"
)

// Options configure a Conn. A nil *Options, and every zero field, means the
// documented default; Dial copies what it needs and never modifies the
// caller's struct. Dial refuses with an *OptionError what has no meaning,
// rather than retrying it forever: negative numbers; durations under their
// floor (DialTimeout ≥ MinDialTimeout, HeartbeatInterval ≥
// MinHeartbeatInterval, Backoff.Initial and Max ≥ MinBackoffDelay, each
// when set; under it a value is nearly always nanoseconds by mistake); NaN
// or infinite floats; subprotocols and headers no server could receive.
type Options struct {
	// Subprotocols offered in Sec-WebSocket-Protocol. When non-empty the
	// server must agree to one, else the handshake fails (final). Each must
	// be an RFC 9110 token, none repeated (RFC 6455 §4.1; browsers throw
	// SyntaxError on either), else Dial returns an *OptionError.
	Subprotocols []string
	// Header is sent with every handshake request. Native only: browsers
	// do not let a page set handshake headers (see "Browser" in doc.go).
	// Names must be RFC 9110 tokens and values free of control characters
	// (CR, LF, NUL…: RFC 9110 §5.5); the headers the handshake itself sets
	// (Connection, Upgrade, Sec-WebSocket-*, Host, Content-Length,
	// Transfer-Encoding, Trailer, TE) are refused: use Subprotocols and
	// NativeOptions.Host. Dial returns an *OptionError for any of these.
	Header map[string][]string
	// URLFunc, when set, is called before every attempt for the URL to dial,
	// so a token in the query can be refreshed. Its error counts as a
	// failed attempt (retried with backoff).
	URLFunc func(ctx context.Context) (string, error)
	// HeaderFunc, when set, is called before every attempt for headers to
	// add (an Authorization token, say). Native only. Its result is checked
	// like Header on every attempt; a bad one ends the Conn at once with an
	// *OptionError (final: the server could never receive it).
	HeaderFunc func(ctx context.Context) (map[string][]string, error)

	// DialTimeout bounds one attempt's handshake; default 10 s; at least
	// MinDialTimeout.
	DialTimeout time.Duration
	// Backoff shapes the waits between attempts; zero means the default.
	Backoff Backoff
	// MaxRetries is how many times the Conn retries before it gives up
	// with ErrRetriesExhausted; 0 means unlimited. It counts consecutive
	// failures since the last stable connection: a failed dial counts, and
	// so does a connection that opened but closed within StableAfter (so a
	// server that accepts and drops at once is not retried forever); only a
	// connection that stayed open StableAfter resets the count.
	MaxRetries int
	// MaxElapsed bounds the time spent retrying since the connection was
	// lost (or since Dial); 0 means unlimited.
	MaxElapsed time.Duration
	// StableAfter is how long a connection must stay open before the
	// attempt counter resets; default 5 s. Resetting on open makes a
	// flapping server get hammered at the smallest delay.
	StableAfter time.Duration
	// Policy overrides the default close-code and handshake policy. It is
	// called after every failure; see DefaultPolicy, which it may call.
	Policy func(RetryContext) (delay time.Duration, retry bool)

	// MaxQueued bounds the send queue in messages; default 1024.
	MaxQueued int
	// MaxQueuedBytes bounds the send queue in bytes; default 1 MiB. It is
	// also the largest message Write accepts.
	MaxQueuedBytes int
	// HeartbeatInterval is the time between pings; default 25 s. A
	// message or a pong is a sign of life. A ping unanswered at the next
	// tick, with no message meanwhile, is missed; a second one goes out
	// and gets W = min(interval/2, 10 s): two missed declare the
	// connection dead, at most 2 × interval + W after the last sign of
	// life (60 s at the default). A wall-clock jump of more than two
	// intervals (the machine slept, the process was stopped) declares it
	// dead only if no sign of life comes within W of waking (browser: no
	// message, as a page cannot ping). While the app leaves messages
	// unread (natively no pong can be read then) none of this applies.
	// Messages received before a connection is declared dead are still
	// delivered, in order.
	HeartbeatInterval time.Duration
	// Resume turns on the resume protocol (docs/resume.md), which needs a
	// server that speaks it (package server): every message is delivered
	// exactly once, in order, in both directions, across any number of
	// reconnects, or the Conn ends with an error matching ErrSessionLost.
	// A written message stays in the send queue until the server
	// acknowledges it, so MaxQueued and MaxQueuedBytes bound what is not
	// yet acknowledged (open and full: Write waits; down and full:
	// ErrQueueFull), and BufferedAmount counts it; once half of either
	// bound is unacknowledged the client asks the server for its ACK (a
	// PING), so a queue of a few large messages never waits for the
	// server's ack timer (docs/resume.md, "Asking for an ACK"). ACKs travel in-band,
	// behind the server's own messages: while the app leaves messages
	// unread and the server keeps sending, a Write waiting for room waits
	// for a Read as well (read from another goroutine). Every attempt's URL (URLFunc's too) gets the query
	// parameter redial-resume=1; the opening exchange counts against
	// DialTimeout. The heartbeat then uses the protocol's PING/PONG on
	// every platform, so the browser build detects a stalled socket too.
	Resume bool
	// NoHeartbeat turns the heartbeat off.
	NoHeartbeat bool
	// ReadLimit is the largest message accepted from the server; default
	// 1 MiB. A bigger one closes the connection with 1009 (final).
	ReadLimit int64

	// OnStateChange is called for every transition and every scheduled
	// retry, in order, from one goroutine that is not the supervisor's: a
	// slow callback delays later events, never the connection.
	OnStateChange func(StateChange)
	// Logger receives debug records of attempts and decisions; nil: none.
	// A *slog.Logger fits.
	Logger Logger

	// WebSocketStream (browser build; no effect natively) dials with the
	// browser's WebSocketStream where it has one (Chromium 124+;
	// https://github.com/ricea/websocketstream-explainer,
	// https://chromestatus.com/feature/5189728691290112), else with
	// WebSocket. Over WebSocketStream a slow Read holds the server back
	// through TCP flow control, as natively: the tab holds at most a few
	// messages past Read (16, or 256 KiB plus one) instead of buffering all
	// that arrives without bound. The cost, why it is off by default:
	// Chromium drops the messages it received and had not yet handed over
	// (those behind the unread ones) when the server closes or the
	// connection drops, where WebSocket delivers them; in resume mode the
	// next connection redelivers them. Close codes, subprotocols, ordering
	// and events are otherwise the same. Two Chromium caveats (seen in
	// Chromium 156):
	//   - the unread tail is dropped when the server closes (above);
	//   - the renderer (the whole tab) can crash when writes are in flight
	//     and the server resets the TCP connection; reproduced with a bare
	//     WebSocketStream, without redial, so nothing here can prevent it.
	WebSocketStream bool

	// Native holds settings that exist only in the native build (HTTP
	// client, TLS). It is an empty struct in the browser build.
	Native *NativeOptions

	// hooks are settings for tests and the wasm layer: internal/sdkhooks.
	hooks sdkhooks.Hooks
}

// Defaults for the zero Options.
const (
	DefaultDialTimeout       = 10 * time.Second
	DefaultStableAfter       = 5 * time.Second
	DefaultMaxQueued         = 1024
	DefaultMaxQueuedBytes    = 1 << 20
	DefaultHeartbeatInterval = 25 * time.Second
	DefaultReadLimit         = 1 << 20
	// MinDialTimeout is DialTimeout's floor: an attempt is a TCP (and TLS)
	// handshake plus an HTTP round trip, which under 10 ms not even a
	// loopback server answers reliably; a smaller value is nearly always a
	// bare number read as nanoseconds, and would fail every attempt.
	MinDialTimeout = 10 * time.Millisecond
	// MinHeartbeatInterval is HeartbeatInterval's floor: over three times
	// the coarsest timer tick of a supported platform (Windows' 15.6 ms),
	// so timer and scheduling delay alone never look like a missed
	// interval. It is a floor against nonsense (1 ns killed every
	// connection), not advice: pick an interval well above the network's
	// round trip, in seconds.
	MinHeartbeatInterval = 50 * time.Millisecond
	// missedPingsDead: two unanswered pings make a connection dead.
	missedPingsDead = 2
)

// config is Options after defaults and validation: what the Conn runs on.
type config struct {
	Options
	sdkhooks.Hooks               // NoWriteYield is read as cfg.NoWriteYield
	heartbeat      time.Duration // 0: off
	backoff        Backoff
	clock          sdkhooks.Clock
	rand           func() float64
	// policy is Options.Policy (or DefaultPolicy) guarded: a panic of
	// the app's is returned as the error (callbacks.go).
	policy func(RetryContext) (time.Duration, bool, error)
	log    Logger
}

func newConfig(o *Options) (*config, error) {
	if o == nil {
		return defaultConfig()
	}
	return buildConfig(o)
}

// defaultConfig is nil Options' config, made once and shared by every
// Conn made with nil Options (about 500 bytes each otherwise): nothing
// writes a config once made, and its callbacks' guards hold no state of
// one Conn's (callbacks.go).
var defaultConfig = sync.OnceValues(func() (*config, error) { return buildConfig(nil) })

func buildConfig(o *Options) (*config, error) {
	var c config
	if o != nil {
		c.Options = *o
		// Copy what the caller may mutate later.
		c.Subprotocols = append([]string(nil), o.Subprotocols...)
		c.Header = cloneHeader(o.Header)
		c.Hooks = o.hooks
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	c.backoff = c.Backoff.withDefaults()
	setDefault(&c.DialTimeout, DefaultDialTimeout)
	setDefault(&c.StableAfter, DefaultStableAfter)
	setDefault(&c.MaxQueued, DefaultMaxQueued)
	setDefault(&c.MaxQueuedBytes, DefaultMaxQueuedBytes)
	setDefault(&c.ReadLimit, DefaultReadLimit)
	setDefault(&c.HeartbeatInterval, DefaultHeartbeatInterval)
	if !c.NoHeartbeat {
		c.heartbeat = c.HeartbeatInterval
	}
	c.clock = c.Hooks.Clock
	if c.clock == nil {
		c.clock = realClock{}
	}
	c.rand = c.Hooks.Rand
	if c.rand == nil {
		c.rand = rand.Float64
	}
	policy := c.Policy
	if policy == nil {
		policy = DefaultPolicy
	}
	c.log = c.Logger
	if c.log == nil {
		c.log = nopLogger{}
	}
	c.guardCallbacks(policy) // no panic of the app's crosses into redial's goroutines
	return &c, nil
}

func (c *config) validate() error {
	type num struct {
		name string
		v    int64
	}
	for _, n := range []num{
		{"DialTimeout", int64(c.DialTimeout)},
		{"MaxRetries", int64(c.MaxRetries)},
		{"MaxElapsed", int64(c.MaxElapsed)},
		{"StableAfter", int64(c.StableAfter)},
		{"MaxQueued", int64(c.MaxQueued)},
		{"MaxQueuedBytes", int64(c.MaxQueuedBytes)},
		{"HeartbeatInterval", int64(c.HeartbeatInterval)},
		{"ReadLimit", c.ReadLimit},
	} {
		if n.v < 0 {
			return &OptionError{n.name, "must not be negative (zero means the default)"}
		}
	}
	for _, f := range []struct {
		name       string
		v, atLeast time.Duration
	}{
		{"DialTimeout", c.DialTimeout, MinDialTimeout},
		{"HeartbeatInterval", c.HeartbeatInterval, MinHeartbeatInterval},
	} {
		if f.v > 0 && f.v < f.atLeast {
			return &OptionError{f.name, fmt.Sprintf("is %v, under the floor of %v (a duration in nanoseconds? use time.Second)",
				f.v, f.atLeast)}
		}
	}
	if err := validateSubprotocols(c.Subprotocols); err != nil {
		return err
	}
	if err := validateHeader("Header", c.Header); err != nil {
		return err
	}
	if err := c.Native.validate(); err != nil {
		return err
	}
	return c.Backoff.validate()
}

func setDefault[T comparable](p *T, def T) {
	var zero T
	if *p == zero {
		*p = def
	}
}

func cloneHeader(h map[string][]string) map[string][]string {
	if h == nil {
		return nil
	}
	out := make(map[string][]string, len(h))
	for k, v := range h {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// validToken reports whether s is an RFC 9110 token, as a subprotocol must be.
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f {
			return false
		}
		switch c {
		case '(', ')', '<', '>', '@', ',', ';', ':', '\\', '"', '/', '[', ']', '?', '=', '{', '}':
			return false
		}
	}
	return true
}
