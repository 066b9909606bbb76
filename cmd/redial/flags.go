package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/textproto"
	"strings"
	"time"

	"github.com/redial-ws/redial/sdk"
)

// config is the parsed command line.
type config struct {
	url          string
	subprotocols []string
	header       map[string][]string
	minDelay     time.Duration
	maxDelay     time.Duration
	maxRetries   int
	heartbeat    time.Duration
	noReconnect  bool
	timeout      time.Duration
	verbose      bool
	hex          bool
	wait         time.Duration
}

// errUsage marks a command line that cannot run; the message is already
// worded for the user.
var errUsage = errors.New("usage")

const usageHead = `usage: redial [flags] URL

Sends each line of stdin as a text message and prints every message
received; stays connected, reconnecting by the redial SDK's policy. State
changes go to stderr.

exit status: 0 done (stdin ended, or the server closed with 1000 for good),
1 other failure, 2 usage or bad URL, 3 closed for good with another code,
4 handshake refused, 5 retries exhausted, 130 interrupted.

flags:
`

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ", ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// parseArgs parses args (flags may come before or after the URL). It
// returns flag.ErrHelp for -h, or an error wrapping errUsage.
func parseArgs(args []string, stderr io.Writer) (*config, error) {
	cfg := &config{}
	var protos, headers listFlag
	fs := flag.NewFlagSet("redial", flag.ContinueOnError)
	fs.SetOutput(redactingWriter{stderr}) // flag quotes a bad value: maybe the URL
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHead)
		fs.PrintDefaults()
	}
	fs.Var(&protos, "subprotocol", "offer this subprotocol (repeatable); the server must agree to one")
	fs.Var(&headers, "H", `add a handshake header "Name: value" (repeatable)`)
	fs.DurationVar(&cfg.minDelay, "min-delay", time.Second, "backoff: cap of the first reconnect wait")
	fs.DurationVar(&cfg.maxDelay, "max-delay", 30*time.Second, "backoff: cap of every reconnect wait")
	fs.IntVar(&cfg.maxRetries, "max-retries", 0, "give up after this many consecutive failed attempts (0: never)")
	fs.DurationVar(&cfg.heartbeat, "heartbeat", 25*time.Second, "ping interval; two unanswered pings mean the connection is dead (0: off)")
	fs.BoolVar(&cfg.noReconnect, "no-reconnect", false, "never reconnect: the first failure or close ends it")
	fs.DurationVar(&cfg.timeout, "timeout", 10*time.Second, "dial timeout of each attempt")
	fs.BoolVar(&cfg.verbose, "v", false, "print the opening handshake and verify Sec-WebSocket-Accept")
	fs.BoolVar(&cfg.hex, "hex", false, "print binary messages in hex instead of <binary N bytes>")
	fs.DurationVar(&cfg.wait, "wait", time.Second, "after stdin ends, keep printing what arrives until it is quiet for 200ms, at most this long; then close with 1000 (0: close at once)")

	// The flag package stops at the first positional argument; keep going
	// so "redial URL -v" works too.
	var pos []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %s", errUsage, sdk.RedactText(err.Error())) // flag quotes a bad value: maybe the URL
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		rest = rest[1:]
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	switch len(pos) {
	case 0:
		fs.Usage()
		return nil, fmt.Errorf("%w: missing URL (e.g. redial ws://localhost:8080/ws/echo)", errUsage)
	case 1:
		cfg.url = pos[0]
	default:
		shown := make([]string, len(pos))
		for i, p := range pos {
			shown[i] = sdk.RedactURL(p) // one of them is a URL, maybe with a token
		}
		return nil, fmt.Errorf("%w: one URL expected, got %d arguments: %s", errUsage, len(pos), strings.Join(shown, " "))
	}
	cfg.subprotocols = protos
	if len(headers) > 0 {
		cfg.header = map[string][]string{}
		for i, h := range headers {
			name, value, ok := strings.Cut(h, ":")
			name = strings.TrimSpace(name)
			if !ok || name == "" || strings.ContainsAny(name, " \t") {
				// Not echoed: the argument may well be a credential
				// ("-H 'Authorization Bearer …'", colon forgotten).
				return nil, fmt.Errorf(`%w: -H argument %d (%d bytes) has no "Name:"; want "Name: value"`, errUsage, i+1, len(h))
			}
			name = textproto.CanonicalMIMEHeaderKey(name)
			cfg.header[name] = append(cfg.header[name], strings.TrimSpace(value))
		}
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"min-delay", cfg.minDelay}, {"max-delay", cfg.maxDelay}, {"heartbeat", cfg.heartbeat}, {"timeout", cfg.timeout}, {"wait", cfg.wait}} {
		if d.v < 0 {
			return nil, fmt.Errorf("%w: -%s %s must not be negative", errUsage, d.name, d.v)
		}
	}
	if cfg.timeout == 0 {
		return nil, fmt.Errorf("%w: -timeout must be more than 0", errUsage)
	}
	if cfg.minDelay == 0 || cfg.maxDelay == 0 {
		return nil, fmt.Errorf("%w: -min-delay and -max-delay must be more than 0", errUsage)
	}
	if cfg.maxRetries < 0 {
		return nil, fmt.Errorf("%w: -max-retries %d must not be negative (0 means unlimited)", errUsage, cfg.maxRetries)
	}
	if cfg.minDelay > cfg.maxDelay {
		if set["min-delay"] {
			return nil, fmt.Errorf("%w: -min-delay %s is more than -max-delay %s", errUsage, cfg.minDelay, cfg.maxDelay)
		}
		cfg.minDelay = cfg.maxDelay // only -max-delay was lowered
	}
	return cfg, nil
}
