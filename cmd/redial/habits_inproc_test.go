package main

import (
	"bytes"
	"context"
	"flag"
	"strings"
	"testing"
	"time"
)

// --help prints on stdout, with examples, and names every flag defined.
func TestHelpNamesEveryFlag(t *testing.T) {
	for _, arg := range []string{"-h", "--help"} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), []string{arg}, strings.NewReader(""), &stdout, &stderr); code != exitOK || stderr.Len() != 0 {
			t.Fatalf("%s: exit %d, stderr %q", arg, code, stderr.String())
		}
		help := stdout.String()
		for _, want := range []string{"examples:", "exit status:", "echo hi | redial localhost:8080/ws/echo", "143"} {
			if !strings.Contains(help, want) {
				t.Errorf("%s lacks %q", arg, want)
			}
		}
	}
	fs, _ := newFlagSet(&config{})
	fs.VisitAll(func(f *flag.Flag) {
		name := "--" + f.Name
		if len(f.Name) == 1 {
			name = "-" + f.Name
		}
		if !strings.Contains(usageText, name+" ") && !strings.Contains(usageText, name+",") {
			t.Errorf("--help does not name %s", name)
		}
	})
}

func TestUsageErrorsOfNewFlags(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		message string
	}{
		{[]string{"--auth", "justAPASSWORD", "ws://a/"}, `--auth wants "user:password" (13 bytes given, no ':')`},
		{[]string{"--ca", "/nonexistent/ca.pem", "wss://a/"}, "--ca: open /nonexistent/ca.pem"},
		{[]string{"--ca", "/dev/null", "wss://a/"}, "--ca /dev/null holds no PEM certificate"},
		{[]string{"--hex", "--base64", "ws://a/"}, "--hex and --base64 both given"},
		{[]string{"-w", "soon", "ws://a/"}, `invalid value "soon" for flag -w: want seconds (2, 0.5) or a duration (500ms)`},
		{[]string{"-w", "-1", "ws://a/"}, `invalid value "-1" for flag -w: out of range`},
		{[]string{"-c", "ws://a/", "ws://b/"}, "one URL expected, got 2 arguments"},
		{[]string{"-c"}, "flag needs an argument: -c"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tc.args, strings.NewReader(""), &stdout, &stderr)
		if code != exitUsage || !strings.Contains(stderr.String(), tc.message) {
			t.Errorf("run(%q) = %d, stderr %q; want %d and %q", tc.args, code, stderr.String(), exitUsage, tc.message)
		}
		if n := strings.Count(stderr.String(), tc.message); n > 1 {
			t.Errorf("run(%q) says it %d times: %q", tc.args, n, stderr.String())
		}
		noSecrets(t, "stderr", stderr.String(), "PASSWORD")
	}
}

func TestParseNewFlags(t *testing.T) {
	cfg, err := parseArgs([]string{"-x", "hi", "127.0.0.1:9/p?q=1", "-b"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.url != "ws://127.0.0.1:9/p?q=1" || cfg.execute != "hi" || cfg.wait != executeWait || !cfg.binary || !cfg.hex {
		t.Fatalf("got %+v", cfg)
	}
	for in, want := range map[string]time.Duration{"2": 2 * time.Second, "0.25": 250 * time.Millisecond, "1m": time.Minute, "0": 0} {
		cfg, err := parseArgs([]string{"-w", in, "ws://a/"})
		if err != nil || cfg.wait != want {
			t.Errorf("-w %s: %v, %v; want %v", in, cfg.wait, err, want)
		}
	}
	for in, want := range map[string]string{
		"localhost:8080/ws": "ws://localhost:8080/ws", "//h/x": "ws://h/x", "wss://h/": "wss://h/", "http://h/": "http://h/",
	} {
		if got := defaultScheme(in); got != want {
			t.Errorf("defaultScheme(%q) = %q, want %q", in, got, want)
		}
	}
}
