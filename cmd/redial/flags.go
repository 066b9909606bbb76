package main

import (
	"crypto/tls"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/textproto"
	"strconv"
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
	waitSet      bool   // -w given: -x waits exactly that long
	execute      string // -x: one message to send once connected
	executeSet   bool
	showPing     bool        // -P
	slash        bool        // --slash
	insecure     bool        // -n, -k
	caFile       string      // --ca
	binary       bool        // -b: stdin lines sent as binary
	base64       bool        // binary received printed in base64
	tls          *tls.Config // from -n, --ca; nil: the SDK's default
}

// errUsage marks a command line that cannot run; the message is already
// worded for the user.
var errUsage = errors.New("usage")

// executeWait is how long -x waits for replies when -w is not given: wscat's
// default of 2 s.
const executeWait = 2 * time.Second

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ", ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// parseArgs parses args (flags may come before or after the URL). It
// returns flag.ErrHelp for -h, or an error wrapping errUsage.
// flagVars are the flags that need work after parsing.
type flagVars struct {
	protos, headers       listFlag
	connect, origin, auth string
}

// newFlagSet defines every flag on cfg and v.
func newFlagSet(cfg *config) (*flag.FlagSet, *flagVars) {
	v := &flagVars{}
	fs := flag.NewFlagSet("redial", flag.ContinueOnError)
	// The flag package would print its error, then the whole usage; run
	// prints the error once (redacted: it may quote the URL) and a hint.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	wait := secondsFlag{d: &cfg.wait}
	cfg.wait = time.Second
	// Each name a user of wscat or websocat types is registered, the
	// short and the long one on the same variable (Go's flag package
	// takes -name and --name alike).
	for _, n := range []string{"c", "connect"} {
		fs.StringVar(&v.connect, n, "", "")
	}
	for _, n := range []string{"s", "subprotocol"} {
		fs.Var(&v.protos, n, "")
	}
	for _, n := range []string{"H", "header"} {
		fs.Var(&v.headers, n, "")
	}
	for _, n := range []string{"o", "origin"} {
		fs.StringVar(&v.origin, n, "", "")
	}
	fs.StringVar(&v.auth, "auth", "", "")
	for _, n := range []string{"x", "execute"} {
		fs.StringVar(&cfg.execute, n, "", "")
	}
	for _, n := range []string{"w", "wait"} {
		fs.Var(wait, n, "")
	}
	for _, n := range []string{"P", "show-ping-pong"} {
		fs.BoolVar(&cfg.showPing, n, false, "")
	}
	fs.BoolVar(&cfg.slash, "slash", false, "")
	for _, n := range []string{"n", "no-check", "k", "insecure"} {
		fs.BoolVar(&cfg.insecure, n, false, "")
	}
	fs.StringVar(&cfg.caFile, "ca", "", "")
	for _, n := range []string{"b", "binary"} {
		fs.BoolVar(&cfg.binary, n, false, "")
	}
	fs.BoolVar(&cfg.base64, "base64", false, "")
	fs.DurationVar(&cfg.minDelay, "min-delay", time.Second, "")
	fs.DurationVar(&cfg.maxDelay, "max-delay", 30*time.Second, "")
	fs.IntVar(&cfg.maxRetries, "max-retries", 0, "")
	fs.DurationVar(&cfg.heartbeat, "heartbeat", 25*time.Second, "")
	fs.BoolVar(&cfg.noReconnect, "no-reconnect", false, "")
	fs.DurationVar(&cfg.timeout, "timeout", 10*time.Second, "")
	for _, n := range []string{"v", "verbose"} {
		fs.BoolVar(&cfg.verbose, n, false, "")
	}
	fs.BoolVar(&cfg.hex, "hex", false, "")
	return fs, v
}

func parseArgs(args []string) (*config, error) {
	cfg := &config{}
	fs, v := newFlagSet(cfg)
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

	if set["c"] || set["connect"] {
		pos = append([]string{v.connect}, pos...)
	}
	cfg.waitSet = set["w"] || set["wait"]
	cfg.executeSet = set["x"] || set["execute"]
	switch len(pos) {
	case 0:
		return nil, fmt.Errorf("%w: missing URL (e.g. redial ws://localhost:8080/ws/echo)", errUsage)
	case 1:
		cfg.url = defaultScheme(pos[0])
	default:
		shown := make([]string, len(pos))
		for i, p := range pos {
			shown[i] = sdk.RedactURL(p) // one of them is a URL, maybe with a token
		}
		return nil, fmt.Errorf("%w: one URL expected, got %d arguments: %s", errUsage, len(pos), strings.Join(shown, " "))
	}
	cfg.subprotocols = v.protos
	if len(v.headers) > 0 {
		cfg.header = map[string][]string{}
		for i, h := range v.headers {
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
	if v.origin != "" {
		cfg.header = addHeader(cfg.header, "Origin", v.origin)
	}
	if v.auth != "" {
		if !strings.Contains(v.auth, ":") {
			// Not echoed: it is a password, or part of one.
			return nil, fmt.Errorf(`%w: --auth wants "user:password" (%d bytes given, no ':')`, errUsage, len(v.auth))
		}
		cfg.header = addHeader(cfg.header, "Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(v.auth)))
	}
	if cfg.hex && cfg.base64 {
		return nil, fmt.Errorf("%w: --hex and --base64 both given; pick one", errUsage)
	}
	if cfg.binary && !cfg.base64 {
		cfg.hex = true // websocat -b shows bytes; a terminal wants them readable
	}
	if err := cfg.loadTLS(); err != nil {
		return nil, err
	}
	if cfg.executeSet && !cfg.waitSet {
		cfg.wait = executeWait
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

// defaultScheme makes a bare "host:port/path" a ws:// URL, as websocat
// does; a URL with a scheme is left as it is (the SDK refuses all but
// ws://, wss://, http:// and https:// with a *URLError).
func defaultScheme(u string) string {
	if u == "" || strings.Contains(u, "://") {
		return u
	}
	return "ws://" + strings.TrimPrefix(u, "//")
}

func addHeader(h map[string][]string, name, value string) map[string][]string {
	if h == nil {
		h = map[string][]string{}
	}
	h[name] = append(h[name], value)
	return h
}

// secondsFlag is -w/--wait: a bare number is seconds, as wscat's -w; a
// Go duration ("500ms", "1m") works too, as today's -wait.
type secondsFlag struct{ d *time.Duration }

func (s secondsFlag) String() string {
	if s.d == nil {
		return ""
	}
	return s.d.String()
}

func (s secondsFlag) Set(v string) error {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if f < 0 || f > (1<<62)/float64(time.Second) || f != f {
			return errors.New("out of range")
		}
		*s.d = time.Duration(f * float64(time.Second))
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return errors.New("want seconds (2, 0.5) or a duration (500ms)")
	}
	*s.d = d
	return nil
}
