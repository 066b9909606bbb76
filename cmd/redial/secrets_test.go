package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
)

// noSecrets fails if any secret appears in text (a process's whole output).
func noSecrets(t *testing.T, what, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("%s shows %q:\n%s", what, s, text)
		}
	}
}

// refusingAddr is a loopback port nobody listens on.
func refusingAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestSecretsNotPrinted is issue 8 §3 for the command: a URL's password and
// query values and the -H credentials never appear on stderr or stdout,
// whether the connection opens (with -v, which prints the handshake and
// its headers), reconnects, is refused, or the command line is wrong.
func TestSecretsNotPrinted(t *testing.T) {
	secrets := []string{"SECRET", "PASSWORD", "HDRSECRET", "COOKIESECRET"}
	creds := []string{"-H", "Authorization: Bearer HDRSECRET", "-H", "Cookie: c=COOKIESECRET"}

	t.Run("open -v, reconnect, close", func(t *testing.T) {
		s := startServer(t)
		u := strings.Replace(s.URL("/echo?token=SECRET&k=SECRET2"), "ws://", "ws://user:PASSWORD@", 1)
		p := start(t, append(append([]string{"-v", "-min-delay", "1ms", "-max-delay", "5ms"}, creds...), u)...)
		p.expectErr("> Authorization: Bearer xxxxx")
		p.expectErr("open (ws://user:xxxxx@")
		s.Drop()
		p.expectErr("reconnecting")
		p.expectErr("open (")
		p.send("hi")
		p.expectOut("hi")
		if err := p.stdin.Close(); err != nil {
			t.Fatal(err)
		}
		p.expectExit(0)
		noSecrets(t, "stderr", p.err.text(), secrets...)
	})

	t.Run("refused", func(t *testing.T) {
		addr := refusingAddr(t)
		p := start(t, append(append([]string{"-max-retries", "1", "-min-delay", "1ms", "-max-delay", "1ms"}, creds...),
			"ws://user:PASSWORD@"+addr+"/x?token=SECRET")...)
		p.expectExit(exitRetries)
		p.expectErr("gave up")
		noSecrets(t, "stderr", p.err.text(), secrets...)
	})

	t.Run("refused, no reconnect", func(t *testing.T) {
		addr := refusingAddr(t)
		p := start(t, "-no-reconnect", "ws://"+addr+"/x?token=SECRET")
		p.expectExit(exitFailure)
		p.expectErr("cannot connect to ws://" + addr + "/x?token=xxxxx")
		noSecrets(t, "stderr", p.err.text(), secrets...)
	})

	// Usage errors are decided before any connection: in-process.
	for _, args := range [][]string{
		{"ws://user:PASSWORD@h:99999/?token=SECRET"},
		{"ws://h/x?token=SECRET#frag"},
		{"ws://h/?token=SECRET", "ws://h/?token=SECRET2"},
		{"-H", "Authorization Bearer HDRSECRET", "ws://h/"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr); code != exitUsage {
			t.Errorf("run(%q) = %d, want %d", args, code, exitUsage)
		}
		if stderr.Len() == 0 {
			t.Errorf("run(%q) printed nothing", args)
		}
		noSecrets(t, "stderr of "+strings.Join(args, " "), stderr.String()+stdout.String(), secrets...)
	}
}
