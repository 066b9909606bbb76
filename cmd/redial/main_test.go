package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"github.com/redial-ws/redial/internal/testserver"
	"github.com/redial-ws/redial/sdk"
)

// bin is the redial binary built once by TestMain (with -race when the
// tests run with it, so a race in the real process fails the test too).
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "redial-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "redial")
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	if out, err := exec.Command("go", append(args, ".")...).CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(int) { _ = os.RemoveAll(dir) }))
}

// waitFor bounds every wait on the child process; generous for -race.
const waitFor = 20 * time.Second

// lines collects a stream line by line so a test can wait for a line with a
// deadline instead of sleeping.
type lines struct {
	mu      sync.Mutex
	all     []string
	eof     bool
	changed chan struct{}
	next    int // first line not yet consumed by expect
}

func newLines(r io.Reader) (*lines, <-chan struct{}) {
	l := &lines{changed: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			l.mu.Lock()
			l.all = append(l.all, sc.Text())
			close(l.changed)
			l.changed = make(chan struct{})
			l.mu.Unlock()
		}
		l.mu.Lock()
		l.eof = true
		close(l.changed)
		l.mu.Unlock()
	}()
	return l, done
}

// expect waits for the next line containing substr (lines before it are
// skipped) and returns it.
func (l *lines) expect(t *testing.T, name, substr string) string {
	t.Helper()
	deadline := time.NewTimer(waitFor)
	defer deadline.Stop()
	for {
		l.mu.Lock()
		for ; l.next < len(l.all); l.next++ {
			if strings.Contains(l.all[l.next], substr) {
				line := l.all[l.next]
				l.next++
				l.mu.Unlock()
				return line
			}
		}
		eof, ch := l.eof, l.changed
		l.mu.Unlock()
		if eof {
			t.Fatalf("%s ended without a line containing %q; it had:\n%s", name, substr, l.text())
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("no line containing %q on %s within %s; it had:\n%s", substr, name, waitFor, l.text())
		}
	}
}

func (l *lines) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.all, "\n")
}

// proc is one running redial process with real pipes.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	out    *lines
	err    *lines
	exited chan struct{}
	code   int
}

func start(t *testing.T, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	// A -race binary otherwise sleeps 1 s at exit.
	cmd.Env = append(os.Environ(), "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, stdin: stdin, exited: make(chan struct{})}
	var outDone, errDone <-chan struct{}
	p.out, outDone = newLines(stdout)
	p.err, errDone = newLines(stderr)
	go func() {
		// Wait closes the pipes: only after both readers hit EOF.
		<-outDone
		<-errDone
		_ = cmd.Wait()                       // the status is what matters
		p.code = cmd.ProcessState.ExitCode() // -1 if killed by a signal
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("redial %s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), p.out.text(), p.err.text())
		}
	})
	return p
}

func (p *proc) send(line string) {
	p.t.Helper()
	if _, err := io.WriteString(p.stdin, line+"\n"); err != nil {
		p.t.Fatalf("writing %q to stdin: %v", line, err)
	}
}

func (p *proc) expectOut(substr string) string {
	p.t.Helper()
	return p.out.expect(p.t, "stdout", substr)
}
func (p *proc) expectErr(substr string) string {
	p.t.Helper()
	return p.err.expect(p.t, "stderr", substr)
}

// wait returns the exit status, failing if the process does not end.
func (p *proc) wait() int {
	p.t.Helper()
	select {
	case <-p.exited:
		return p.code
	case <-time.After(waitFor):
		p.t.Fatalf("redial still running after %s", waitFor)
		return 0
	}
}

func (p *proc) expectExit(want int) {
	p.t.Helper()
	if got := p.wait(); got != want {
		p.t.Fatalf("exit status %d, want %d", got, want)
	}
}

func startServer(t *testing.T) *testserver.Server {
	t.Helper()
	s, err := testserver.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestEchoThenStdinEOFExitsZero(t *testing.T) {
	s := startServer(t)
	p := start(t, s.URL("/echo"))
	p.expectErr("redial: open (" + s.URL("/echo") + ")")
	p.send("hello")
	p.expectOut("hello")
	p.send("wörld, with spaces")
	p.expectOut("wörld, with spaces")
	if err := p.stdin.Close(); err != nil {
		t.Fatal(err)
	}
	p.expectExit(0)
	p.expectErr("closed by client with 1000 normal closure")
}

// Lines sent before stdin ends are flushed, and their replies printed.
func TestPipedInputGetsReplies(t *testing.T) {
	s := startServer(t)
	p := start(t, s.URL("/echo"))
	p.send("one")
	p.send("two")
	if err := p.stdin.Close(); err != nil {
		t.Fatal(err)
	}
	p.expectOut("one")
	p.expectOut("two")
	p.expectExit(0)
	if got := s.Received("/echo"); strings.Join(got, ",") != "one,two" {
		t.Fatalf("server received %q", got)
	}
}

func TestReconnectsAfterDrop(t *testing.T) {
	s := startServer(t)
	p := start(t, "-min-delay", "10ms", "-max-delay", "50ms", s.URL("/echo"))
	p.expectErr("redial: open (")
	p.send("before")
	p.expectOut("before")

	s.Drop() // TCP cut, no close frame
	line := p.expectErr("redial: reconnecting in ")
	if !strings.Contains(line, "(attempt 1, close 1006 abnormal closure, no close frame)") {
		t.Errorf("reconnecting line %q does not word the cause", line)
	}
	p.expectErr("redial: open (" + s.URL("/echo") + ", attempt 1)")
	p.send("after")
	p.expectOut("after")

	// Lines typed while the server is away are queued and flushed.
	s.Stop()
	p.expectErr("redial: reconnecting in ")
	p.send("while down")
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	p.expectOut("while down")
	if err := p.stdin.Close(); err != nil {
		t.Fatal(err)
	}
	p.expectExit(0)
}

// A server that never answers pings is declared dead by the heartbeat.
func TestHeartbeatTimeout(t *testing.T) {
	s := startServer(t)
	p := start(t, "-heartbeat", "100ms", "-min-delay", "10ms", s.URL("/stall"))
	p.expectErr("redial: open (")
	p.expectErr("(attempt 1, heartbeat timeout (no pong within two -heartbeat intervals))")
	p.expectErr("redial: open (" + s.URL("/stall") + ", attempt 1)")
	// Cleanup kills it: a close handshake with a server that never reads
	// would wait out the library's 5 s close timeout.
}

// A server that accepts TCP but never answers the upgrade hits -timeout.
func TestDialTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var held []net.Conn
	accepted := make(chan struct{})
	go func() {
		defer close(accepted)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c) // read by the test only after accepted closes
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-accepted
		for _, c := range held {
			_ = c.Close()
		}
	})
	p := start(t, "-timeout", "150ms", "-max-retries", "1", "-min-delay", "5ms", "ws://"+ln.Addr().String()+"/")
	p.expectExit(5)
	p.expectErr("(attempt 1, no answer within -timeout 150ms)")
	p.expectErr("redial: gave up after 1 retry (-max-retries); last error: no answer within -timeout 150ms")
}

func TestExitStatus(t *testing.T) {
	s := startServer(t)
	for _, tc := range []struct {
		name    string
		args    []string
		code    int
		message string
	}{
		{"close 1008", []string{s.URL("/close?code=1008&reason=token+expired")}, 3,
			"redial: closed by server with 1008 policy violation: token expired"},
		{"close 4500", []string{s.URL("/close?code=4500&reason=banned")}, 3,
			"redial: closed by server with 4500 application: banned"},
		{"server 1000, no reconnect", []string{"-no-reconnect", s.URL("/close?code=1000&reason=bye")}, 0,
			"redial: closed by server with 1000 normal closure: bye"},
		{"server says reconnect:false", []string{s.URL(`/close?code=1000&reason={"reconnect":false}`)}, 0,
			"closed by server with 1000 normal closure"},
		{"handshake 404", []string{s.URL("/status?code=404")}, 4,
			"redial: handshake refused with HTTP 404 Not Found"},
		{"handshake 401", []string{s.URL("/status?code=401")}, 4,
			"redial: handshake refused with HTTP 401 Unauthorized"},
		{"no subprotocol agreed", []string{"-subprotocol", "nope", s.URL("/noproto")}, 4,
			"the server agreed to none of the subprotocols offered: nope"},
		{"retries exhausted", []string{"-max-retries", "2", "-min-delay", "5ms", s.URL("/status?code=503")}, 5,
			"redial: gave up after 2 retries (-max-retries); last error: handshake refused with HTTP 503"},
		{"refused, no reconnect", []string{"-no-reconnect", "ws://127.0.0.1:1/"}, 1,
			"redial: cannot connect to ws://127.0.0.1:1/: dial tcp 127.0.0.1:1: connect: connection refused"},
		{"bad scheme", []string{"ftp://example.com/"}, 2, `redial: bad URL "ftp://example.com/"`},
		{"no host", []string{"ws://"}, 2, `redial: bad URL "ws://": has no host`},
		{"no URL", nil, 2, "redial: missing URL"},
		{"two URLs", []string{"ws://a/", "ws://b/"}, 2, "one URL expected"},
		{"bad flag", []string{"-bogus", "ws://a/"}, 2, "flag provided but not defined: -bogus"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := start(t, tc.args...) // stdin stays open: the server or the policy ends it
			p.expectExit(tc.code)
			p.expectErr(tc.message)
		})
	}
}

func TestVerboseHandshake(t *testing.T) {
	s := startServer(t)
	p := start(t, "-v", "-subprotocol", "chat", s.URL("/echo"))
	keyLine := p.expectErr("redial: > Sec-WebSocket-Key: ")
	acceptLine := p.expectErr("redial: < Sec-WebSocket-Accept: ")
	p.expectErr("redial: verified: base64(SHA-1(key+GUID)) matches")
	p.expectErr("redial: open (" + s.URL("/echo") + ", subprotocol chat)")

	key := strings.TrimPrefix(keyLine, "redial: > Sec-WebSocket-Key: ")
	accept := strings.TrimPrefix(acceptLine, "redial: < Sec-WebSocket-Accept: ")
	up := s.LastUpgrade()
	if key != up.Key || len(key) != 24 {
		t.Errorf("printed key %q, the server saw %q", key, up.Key)
	}
	if accept != sdk.ComputeAccept(key) || accept != up.Accept {
		t.Errorf("printed accept %q; want %q (server sent %q)", accept, sdk.ComputeAccept(key), up.Accept)
	}
	if err := p.stdin.Close(); err != nil {
		t.Fatal(err)
	}
	p.expectExit(0)
}

func TestHeaderFlag(t *testing.T) {
	s := startServer(t)
	p := start(t, "-H", "authorization:  Bearer t0k", s.URL("/header?token=q"))
	p.expectOut("auth=Bearer t0k token=q")
	if err := p.stdin.Close(); err != nil {
		t.Fatal(err)
	}
	p.expectExit(0)
}

// closeRecorder is a plain coder/websocket server that sends one binary
// message on connect, echoes text, and reports the close code it received.
func closeRecorder(t *testing.T) (url string, closes <-chan websocket.StatusCode) {
	t.Helper()
	ch := make(chan websocket.StatusCode, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := context.Background()
		if err := c.Write(ctx, websocket.MessageBinary, []byte{0xde, 0xad, 0xbe, 0xef}); err != nil {
			return
		}
		for {
			typ, b, err := c.Read(ctx)
			if err != nil {
				ch <- websocket.CloseStatus(err)
				return
			}
			if err := c.Write(ctx, typ, b); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http"), ch
}

func expectClose(t *testing.T, closes <-chan websocket.StatusCode, want websocket.StatusCode) {
	t.Helper()
	select {
	case got := <-closes:
		if got != want {
			t.Fatalf("server got close %d, want %d", got, want)
		}
	case <-time.After(waitFor):
		t.Fatal("server saw no close")
	}
}

func TestBinaryMessages(t *testing.T) {
	url, closes := closeRecorder(t)
	p := start(t, url)
	p.expectOut("<binary 4 bytes>")
	if err := p.stdin.Close(); err != nil {
		t.Fatal(err)
	}
	p.expectExit(0)
	expectClose(t, closes, websocket.StatusNormalClosure)

	p = start(t, "-hex", url)
	p.expectOut("deadbeef")
	if err := p.stdin.Close(); err != nil {
		t.Fatal(err)
	}
	p.expectExit(0)
	expectClose(t, closes, websocket.StatusNormalClosure)
}

func TestSIGINTClosesCleanly(t *testing.T) {
	url, closes := closeRecorder(t)
	p := start(t, url)
	p.expectErr("redial: open (")
	p.send("ping?")
	p.expectOut("ping?")
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	p.expectExit(130)
	p.expectErr("redial: interrupted (SIGINT): closed with 1000 normal closure")
	expectClose(t, closes, websocket.StatusNormalClosure)
}

// Usage errors are decided before any connection: run them in-process.
func TestUsageErrorsInProcess(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		message string
	}{
		{[]string{"-H", "NoColon", "ws://a/"}, `-H argument 1 (7 bytes) has no "Name:"; want "Name: value"`},
		{[]string{"-min-delay", "2s", "-max-delay", "1s", "ws://a/"}, "-min-delay 2s is more than -max-delay 1s"},
		{[]string{"-timeout", "0", "ws://a/"}, "-timeout must be more than 0"},
		{[]string{"-max-retries", "-1", "ws://a/"}, "-max-retries -1 must not be negative"},
		{[]string{"-heartbeat", "-1s", "ws://a/"}, "-heartbeat -1s must not be negative"},
		{[]string{"ws://a/#frag"}, "has a fragment"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tc.args, strings.NewReader(""), &stdout, &stderr)
		if code != exitUsage || !strings.Contains(stderr.String(), tc.message) {
			t.Errorf("run(%q) = %d, stderr %q; want %d and %q", tc.args, code, stderr.String(), exitUsage, tc.message)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-h"}, strings.NewReader(""), &stdout, &stderr); code != 0 ||
		!strings.Contains(stdout.String(), "usage: redial [flags] URL") {
		t.Errorf("-h: %d, %q", code, stderr.String())
	}
}

// Flags after the URL work too, and -max-delay alone lowers -min-delay.
func TestParseArgs(t *testing.T) {
	cfg, err := parseArgs([]string{"ws://a/", "-v", "-subprotocol", "x", "-subprotocol", "y", "-max-delay", "200ms"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.url != "ws://a/" || !cfg.verbose || strings.Join(cfg.subprotocols, ",") != "x,y" ||
		cfg.minDelay != 200*time.Millisecond || cfg.maxDelay != 200*time.Millisecond {
		t.Fatalf("got %+v", cfg)
	}
}

func TestDescribe(t *testing.T) {
	cfg := &config{timeout: 3 * time.Second}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&sdk.CloseError{Code: 1012, Reason: "deploy"}, "close 1012 service restart: deploy"},
		{&sdk.CloseError{Code: 1006, Reason: "EOF"}, "close 1006 abnormal closure, no close frame"},
		{&sdk.HandshakeError{StatusCode: 429, Header: map[string][]string{"Retry-After": {"7"}}}, "handshake refused with HTTP 429 Too Many Requests, Retry-After: 7"},
		{fmt.Errorf("redial: dial timed out after 3s: %w", context.DeadlineExceeded), "no answer within -timeout 3s"},
		{sdk.ErrHeartbeatTimeout, "heartbeat timeout (no pong within two -heartbeat intervals)"},
	} {
		if got := describe(tc.err, cfg); got != tc.want {
			t.Errorf("describe(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
	if got := roundDelay(1312 * time.Millisecond); got != 1300*time.Millisecond {
		t.Errorf("roundDelay = %s", got)
	}
}
