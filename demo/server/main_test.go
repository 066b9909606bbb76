package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// lineWriter collects output and signals the first line.
type lineWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	first chan string
	once  sync.Once
}

func newLineWriter() *lineWriter { return &lineWriter{first: make(chan string, 1)} }

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if line, _, ok := strings.Cut(w.buf.String(), "\n"); ok {
		w.once.Do(func() { w.first <- line })
	}
	return len(p), nil
}

func (w *lineWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func env0(string) string { return "" }

func TestBusyPortIsWorded(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().(*net.TCPAddr)
	want := fmt.Sprintf("demo: 127.0.0.1:%d is in use; pick another with -addr 127.0.0.1:%d or PORT=%d\n", addr.Port, addr.Port+1, addr.Port+1)

	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-addr", addr.String()}, env0, &stdout, &stderr); code != 1 || stderr.String() != want {
		t.Fatalf("-addr: exit %d, stderr %q; want 1, %q", code, stderr.String(), want)
	}
	stderr.Reset()
	port := func(k string) string {
		if k == "PORT" {
			return fmt.Sprint(addr.Port)
		}
		return ""
	}
	if code := run(context.Background(), nil, port, &stdout, &stderr); code != 1 || stderr.String() != want {
		t.Fatalf("PORT: exit %d, stderr %q; want 1, %q", code, stderr.String(), want)
	}
	if stdout.Len() != 0 {
		t.Fatalf("stdout %q", stdout.String())
	}
}

func TestBadArgs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		port string
		want string
	}{
		{[]string{"-bogus"}, "", "flag provided but not defined"},
		{[]string{"extra"}, "", `unexpected argument "extra"`},
		{nil, "eighty", `PORT="eighty" is not a port number`},
		{[]string{"-addr", "256.0.0.1:80"}, "", "cannot listen on 256.0.0.1:80"},
	} {
		var stdout, stderr bytes.Buffer
		getenv := func(k string) string {
			if k == "PORT" {
				return tc.port
			}
			return ""
		}
		code := run(context.Background(), tc.args, getenv, &stdout, &stderr)
		if code == 0 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%q PORT=%q: exit %d, stderr %q; want %q", tc.args, tc.port, code, stderr.String(), tc.want)
		}
	}
}

// run serves the page, dist and the endpoints, and a cancelled ctx (what
// SIGINT does in main) says 1001 to clients and returns within 2 s.
func TestRunServesAndShutsDown(t *testing.T) {
	web, dist := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(web, "index.html"), []byte("<h1>the page</h1>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dist, "redial.wasm"), []byte("\x00asm\x01\x00\x00\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stderr := newLineWriter(), newLineWriter()
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"-addr", "127.0.0.1:0", "-web", web, "-dist", dist}, env0, stdout, stderr)
	}()

	var line string
	select {
	case line = <-stdout.first:
	case code := <-exited:
		t.Fatalf("run exited %d: %s", code, stderr.String())
	case <-time.After(waitFor):
		t.Fatal("no announcement")
	}
	base, ok := strings.CutPrefix(line, "redial demo: ")
	base, ok2 := strings.CutSuffix(base, "/ (PORT or -addr to change; Ctrl-C to stop)")
	if !ok || !ok2 || !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("announcement %q", line)
	}

	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	get := func(path string) (string, string) {
		t.Helper()
		resp, err := hc.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
		}
		return string(b), resp.Header.Get("Content-Type")
	}
	if body, _ := get("/"); body != "<h1>the page</h1>" {
		t.Fatalf("page %q", body)
	}
	if _, ct := get("/dist/redial.wasm"); ct != "application/wasm" {
		t.Fatalf("wasm served as %q", ct)
	}
	if body, ct := get("/api/state"); ct != "application/json" || !strings.Contains(body, `"tick"`) {
		t.Fatalf("state %q %q", ct, body)
	}

	dctx, dcancel := context.WithTimeout(context.Background(), waitFor)
	defer dcancel()
	c, _, err := websocket.Dial(dctx, "ws"+strings.TrimPrefix(base, "http")+"/ws/ticker?client=a", &websocket.DialOptions{HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	if _, _, err := c.Read(dctx); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	cancel()
	select {
	case code := <-exited:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(waitFor):
		t.Fatal("run did not return")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("shutdown took %s", d)
	}
	for {
		_, _, err := c.Read(dctx)
		if err == nil {
			continue // ticks sent before the close
		}
		if code := websocket.CloseStatus(err); code != websocket.StatusGoingAway {
			t.Fatalf("client ended with %v, want 1001", err)
		}
		break
	}
	if resp, err := hc.Get(base + "/"); err == nil {
		resp.Body.Close()
		t.Fatal("still serving after shutdown")
	}
}

// Missing directories are reported, and / explains what to do.
func TestMissingDirs(t *testing.T) {
	e := newEnv(t, Config{WebDir: filepath.Join(t.TempDir(), "nope"), DistDir: ""})
	resp, err := e.ts.Client().Get(e.ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "-web DIR") {
		t.Fatalf("placeholder: %d %s", resp.StatusCode, b)
	}
	resp, err = e.ts.Client().Get(e.ts.URL + "/dist/redial.wasm")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("dist: %d", resp.StatusCode)
	}
}
