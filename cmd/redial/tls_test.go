package main

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/redial-ws/redial/internal/rawws"
)

// A wss server with a self-signed certificate: refused by default (final,
// exit 1); -n and its aliases connect and warn on stderr; --ca with the
// server's certificate connects with no warning; --ca with another one is
// refused; -P works over TLS (the tap sits under it).
func TestTLSFlags(t *testing.T) {
	h := newHabitServer(t, true)
	ca := h.caFile(t)
	// A server with a certificate of its own (every httptest server
	// shares one): the --ca above does not vouch for it.
	other, err := rawws.StartTLS(func(int, *rawws.Conn) {})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(other.Close)

	for _, flag := range []string{"-n", "--no-check", "-k", "--insecure"} {
		t.Run(flag, func(t *testing.T) {
			p := start(t, flag, h.URL+"/")
			p.expectErr("redial: WARNING: -n/--no-check: the server's TLS certificate is NOT checked")
			p.expectErr("redial: open (" + h.URL + "/)")
			p.send("over tls")
			p.expectOut("over tls")
			p.closeStdin()
			p.expectExit(exitOK)
		})
	}
	t.Run("--ca", func(t *testing.T) {
		p := start(t, "--ca", ca, h.URL+"/")
		p.expectErr("redial: open (")
		p.send("trusted")
		p.expectOut("trusted")
		p.closeStdin()
		p.expectExit(exitOK)
		if strings.Contains(p.err.text(), "WARNING") {
			t.Errorf("warned with --ca:\n%s", p.err.text())
		}
	})
	t.Run("-P --slash --ca", func(t *testing.T) {
		p := start(t, "-P", "--slash", "--heartbeat", "0", "--ca", ca, h.URL+"/")
		p.expectErr("redial: open (")
		p.send("/ping tls")
		h.expect(t, "ping:tls")
		p.expectErr(`redial: < pong "tls"`)
		p.closeStdin()
		p.expectExit(exitOK)
	})
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"no flag", nil},
		{"--ca of another server", []string{"--ca", ca}},
		{"-P, no flag", []string{"-P"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := h.URL + "/"
			if tc.name == "--ca of another server" {
				u = other.URL()
			}
			p := start(t, append(tc.args, u)...)
			p.expectExit(exitFailure)
			p.expectErr("certificate")
		})
	}
}

// The TLS settings -n and --ca build, and --ca's usage errors.
func TestLoadTLS(t *testing.T) {
	cfg, err := parseArgs([]string{"-k", "wss://h/"})
	if err != nil || cfg.tls == nil || !cfg.tls.InsecureSkipVerify || cfg.tls.MinVersion != tls.VersionTLS12 {
		t.Fatalf("-k: %+v, %v", cfg, err)
	}
	if cfg, err := parseArgs([]string{"wss://h/"}); err != nil || cfg.tls != nil {
		t.Fatalf("no TLS flag: %+v, %v", cfg, err)
	}
}
