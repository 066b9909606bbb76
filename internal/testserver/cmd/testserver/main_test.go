//go:build !js

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// announce starts run in the background and returns the URLs it printed.
func announce(t *testing.T, ctx context.Context, stdin io.Reader) (addrs, <-chan error) {
	t.Helper()
	outR, outW := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, stdin, outW)
		_ = outW.Close()
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	// Drain anything else so run never blocks on stdout.
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	var a addrs
	if err := json.Unmarshal([]byte(line), &a); err != nil {
		t.Fatalf("announcement %q: %v", line, err)
	}
	if !strings.HasPrefix(a.WS, "ws://127.0.0.1:") || !strings.HasPrefix(a.Control, "http://127.0.0.1:") {
		t.Fatalf("announcement = %+v", a)
	}
	return a, errc
}

func TestRunServesUntilStdinEOF(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	inR, inW := io.Pipe()
	a, errc := announce(t, context.Background(), inR)

	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c, _, err := websocket.Dial(ctx, a.WS+"/echo", &websocket.DialOptions{HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()

	req, _ := http.NewRequestWithContext(ctx, "GET", a.Control+"/live", nil)
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if string(b) != "1" {
		t.Errorf("/live = %q, want 1", b)
	}

	_ = inW.Close() // the parent went away
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-ctx.Done():
		t.Fatal("run did not exit on stdin EOF")
	}
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != -1 {
		t.Errorf("conn after exit: %v", err)
	}
}

func TestRunStopsOnSignal(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	_, errc := announce(t, ctx, nil)
	cancel() // what SIGINT/SIGTERM do through signal.NotifyContext
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}
