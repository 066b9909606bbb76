package main

import (
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Issue 12: the flags a wscat or websocat user types, each short and long
// form, against a real server; each of these names did not exist before
// (exit 2, "flag provided but not defined").

func TestConnectFlag(t *testing.T) {
	h := newHabitServer(t, false)
	for _, flag := range []string{"-c", "--connect"} {
		t.Run(flag, func(t *testing.T) {
			p := start(t, flag, h.URL+"/echo")
			p.expectErr("redial: open (" + h.URL + "/echo)")
			p.send("hi")
			p.expectOut("hi")
			p.closeStdin()
			p.expectExit(exitOK)
		})
	}
}

// A bare host:port/path is ws://, as websocat.
func TestBareHostPortIsWS(t *testing.T) {
	h := newHabitServer(t, false)
	bare := strings.TrimPrefix(h.URL, "ws://") + "/echo"
	p := start(t, bare)
	p.expectErr("redial: open (ws://" + bare + ")")
	p.send("bare")
	p.expectOut("bare")
	p.closeStdin()
	p.expectExit(exitOK)
}

// -s, -H, -o, --auth reach the server; -v shows them redacted.
func TestHandshakeFlags(t *testing.T) {
	h := newHabitServer(t, false)
	for _, tc := range []struct {
		args []string
		want string // the server's "hdr" event
	}{
		{[]string{"-s", "chat"}, "hdr origin= auth= proto=chat"},
		{[]string{"--subprotocol", "nope", "-s", "chat"}, "hdr origin= auth= proto=chat"},
		{[]string{"-o", "https://app.example"}, "hdr origin=https://app.example auth= proto="},
		{[]string{"--origin", "https://b.example"}, "hdr origin=https://b.example auth= proto="},
		{[]string{"-H", "Authorization: Bearer TOKEN1SECRET"}, "hdr origin= auth=Bearer TOKEN1SECRET proto="},
		{[]string{"--header", "Authorization: Bearer TOKEN2SECRET"}, "hdr origin= auth=Bearer TOKEN2SECRET proto="},
		{[]string{"--auth", "user:PASSWORD"}, "hdr origin= auth=Basic dXNlcjpQQVNTV09SRA== proto="}, // base64("user:PASSWORD")
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			p := start(t, append(append([]string{"-v"}, tc.args...), h.URL+"/")...)
			if got := h.expect(t, "hdr "); got != tc.want {
				t.Errorf("server saw %q, want %q", got, tc.want)
			}
			p.expectErr("redial: open (")
			p.closeStdin()
			p.expectExit(exitOK)
			noSecrets(t, "stderr", p.err.text(), "PASSWORD", "dXNlcjpQQVNTV09SRA", "TOKEN1SECRET", "TOKEN2SECRET", "app.example") // long markers: a random Sec-WebSocket-Key may hold "T1"
		})
	}
}

// -x sends one message once connected, prints the reply, and exits after
// -w with 0, stdin left open and unread (wscat -x).
func TestExecute(t *testing.T) {
	h := newHabitServer(t, false)
	for _, tc := range []struct {
		args []string
		wait time.Duration
	}{
		{[]string{"-x", "hello", "-w", "0.3"}, 300 * time.Millisecond},
		{[]string{"--execute", "hello", "--wait", "300ms"}, 300 * time.Millisecond},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			begin := time.Now()
			p := start(t, append(tc.args, h.URL+"/")...)
			h.expect(t, "msg:MessageText:hello")
			p.expectOut("hello")
			p.expectExit(exitOK)
			if d := time.Since(begin); d < tc.wait {
				t.Errorf("exited after %s, before -w %s", d, tc.wait)
			}
			h.expect(t, "close:1000")
		})
	}
}

// -b sends stdin lines as binary and prints binary received in hex, or
// base64 with --base64.
func TestBinaryFlag(t *testing.T) {
	h := newHabitServer(t, false)
	for _, tc := range []struct {
		args []string
		out  string
	}{
		{[]string{"-b"}, "616263"},
		{[]string{"--binary"}, "616263"},
		{[]string{"-b", "--base64"}, "YWJj"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			p := start(t, append(tc.args, h.URL+"/")...)
			p.send("abc")
			h.expect(t, "msg:MessageBinary:abc")
			p.expectOut(tc.out)
			p.closeStdin()
			p.expectExit(exitOK)
		})
	}
}

// -P prints the heartbeat's pings and the server's pongs, and a ping the
// server sends with the pong the client answers.
func TestShowPingPong(t *testing.T) {
	h := newHabitServer(t, false)
	for _, flag := range []string{"-P", "--show-ping-pong"} {
		t.Run(flag, func(t *testing.T) {
			p := start(t, flag, "--heartbeat", "100ms", h.URL+"/")
			p.expectErr("redial: > ping")
			p.expectErr("redial: < pong")
			p.closeStdin()
			p.expectExit(exitOK)
		})
	}
	t.Run("server ping", func(t *testing.T) {
		p := start(t, "-P", "--heartbeat", "0", h.URL+"/serverping")
		p.expectErr("redial: < ping")
		p.expectErr("redial: > pong")
		h.expect(t, "pong:")
		p.closeStdin()
		p.expectExit(exitOK)
	})
}

// --slash: /ping and /pong reach the server as control frames, /close
// closes with the code and reason typed (exit 0, as the user's own end),
// a refused code closes nothing, //x sends "/x".
func TestSlashCommands(t *testing.T) {
	h := newHabitServer(t, false)
	p := start(t, "--slash", "-P", "--heartbeat", "0", h.URL+"/")
	p.expectErr("redial: open (")
	p.send("/ping hello")
	h.expect(t, "ping:hello")
	p.expectErr(`redial: < pong "hello"`)
	p.send("/pong unsolicited")
	h.expect(t, "pong:unsolicited")
	p.send("/close 1005")
	p.expectErr("redial: /close: ")
	p.send("/bogus")
	p.expectErr(`redial: unknown command "/bogus"`)
	p.send("//not a command")
	h.expect(t, "msg:MessageText:/not a command")
	p.expectOut("/not a command")
	p.send("/close 4000 all done")
	h.expect(t, "close:4000:all done")
	p.expectExit(exitOK)
	p.expectErr("closed by client with 4000 application: all done")
}

// --no-reconnect ends at the first drop, as wscat does.
func TestNoReconnectEndsAtDrop(t *testing.T) {
	s := startServer(t)
	p := start(t, "--no-reconnect", s.URL("/echo"))
	p.expectErr("redial: open (")
	s.Drop()
	p.expectExit(exitClosed)
	if strings.Contains(p.err.text(), "reconnecting") {
		t.Errorf("reconnected with --no-reconnect:\n%s", p.err.text())
	}
}

// "gave up after 1 retry (-max-retries); last error: retry budget
// exhausted: 1 retries (Options.MaxRetries); last error: …" said it twice.
func TestRetriesExhaustedSaysItOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan struct{})
	go func() { // reads the upgrade request, then hangs up: EOF
		defer close(served)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = c.Read(make([]byte, 4096))
			_ = c.Close()
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); <-served })
	p := start(t, "--max-retries", "1", "--min-delay", "5ms", ln.Addr().String()+"/x")
	p.expectExit(exitRetries)
	line := p.expectErr("redial: gave up after 1 retry (-max-retries); last error: ")
	for _, twice := range []string{"last error", "retry budget", "Options.MaxRetries", "127.0.0.1"} {
		if n := strings.Count(line, twice); n > 1 || twice != "last error" && n > 0 {
			t.Errorf("%q appears %d times in %q", twice, n, line)
		}
	}
	if !strings.HasSuffix(line, "EOF") {
		t.Errorf("%q does not end with the cause (EOF)", line)
	}
}

// SIGTERM while no connection was ever open closes nothing, and says so.
func TestSIGTERMBeforeAnyConnection(t *testing.T) {
	p := start(t, "--min-delay", "10s", "--max-delay", "10s", "ws://"+refusingAddr(t)+"/")
	p.expectErr("redial: reconnecting in ")
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.expectExit(128 + int(syscall.SIGTERM))
	p.expectErr("redial: interrupted (SIGTERM): before any connection opened")
	if strings.Contains(p.err.text(), "normal closure") {
		t.Errorf("claims a close:\n%s", p.err.text())
	}
}

// SIGTERM while reconnecting after a drop: nothing to close either.
func TestSIGTERMWhileReconnecting(t *testing.T) {
	s := startServer(t)
	p := start(t, "--min-delay", "10s", "--max-delay", "10s", s.URL("/echo"))
	p.expectErr("redial: open (")
	s.Stop()
	p.expectErr("redial: reconnecting in ")
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.expectExit(128 + int(syscall.SIGTERM))
	p.expectErr("redial: interrupted (SIGTERM): while not connected (nothing to close)")
}
