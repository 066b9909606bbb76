package main

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// habitServer is a plain coder/websocket server for the wscat/websocat
// flags: it reports what it saw on events ("hdr origin=… auth=… proto=…",
// "ping:DATA", "pong:DATA", "msg:text:…", "msg:binary:…", "close:CODE:REASON")
// and echoes every message with its type. /serverping pings the client once.
type habitServer struct {
	URL    string // ws:// or wss://
	srv    *httptest.Server
	events chan string
}

func newHabitServer(t *testing.T, useTLS bool) *habitServer {
	t.Helper()
	h := &habitServer{events: make(chan string, 64)}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{
			Subprotocols:   []string{"chat"},
			OriginPatterns: []string{"*.example"}, // -o sends one; coder/websocket refuses a foreign Origin (403) otherwise
			OnPingReceived: func(_ context.Context, p []byte) bool { h.events <- "ping:" + string(p); return true },
			OnPongReceived: func(_ context.Context, p []byte) { h.events <- "pong:" + string(p) },
		})
		if err != nil {
			return
		}
		defer c.CloseNow()
		h.events <- fmt.Sprintf("hdr origin=%s auth=%s proto=%s", r.Header.Get("Origin"), r.Header.Get("Authorization"), c.Subprotocol())
		ctx := r.Context()
		if r.URL.Path == "/serverping" {
			go func() { _ = c.Ping(ctx) }() // its pong is read by the loop below
		}
		for {
			typ, b, err := c.Read(ctx)
			if err != nil {
				var ce websocket.CloseError
				if errors.As(err, &ce) {
					h.events <- fmt.Sprintf("close:%d:%s", ce.Code, ce.Reason)
				}
				return
			}
			h.events <- fmt.Sprintf("msg:%s:%s", typ, b)
			if err := c.Write(ctx, typ, b); err != nil {
				return
			}
		}
	})
	h.srv = httptest.NewUnstartedServer(handler)
	h.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused certificates are the point of some tests
	if useTLS {
		h.srv.StartTLS()
		h.URL = "wss" + strings.TrimPrefix(h.srv.URL, "https")
	} else {
		h.srv.Start()
		h.URL = "ws" + strings.TrimPrefix(h.srv.URL, "http")
	}
	t.Cleanup(h.srv.Close)
	return h
}

// expect waits for an event with the prefix, skipping others.
func (h *habitServer) expect(t *testing.T, prefix string) string {
	t.Helper()
	deadline := time.After(waitFor)
	for {
		select {
		case e := <-h.events:
			if strings.HasPrefix(e, prefix) {
				return e
			}
		case <-deadline:
			t.Fatalf("server saw no %q within %s", prefix, waitFor)
			return ""
		}
	}
}

// caFile writes the server's self-signed certificate as PEM, for --ca.
func (h *habitServer) caFile(t *testing.T) string {
	t.Helper()
	cert := h.srv.TLS.Certificates[0]
	f := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(f, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func (p *proc) closeStdin() {
	p.t.Helper()
	if err := p.stdin.Close(); err != nil {
		p.t.Fatal(err)
	}
}
