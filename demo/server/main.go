// Command server is the redial demo server: it serves the demo page, the
// browser shim, three WebSocket endpoints, and a control API that makes
// REAL faults happen to the page's connections (close frames, dropped TCP,
// half-open sockets, refused handshakes, a restarting server).
//
//	go run ./demo/server [-addr 127.0.0.1:8080] [-web demo/web] [-dist dist] [-quiet]
//
// It binds 127.0.0.1:8080 by default; PORT=8081 or -addr change it (-addr
// wins). Once listening it prints
//
//	redial demo: http://127.0.0.1:8080/ (PORT or -addr to change; Ctrl-C to stop)
//
// (how to change the port is in the first line a user reads: 8080 is often
// taken), and it shuts down on SIGINT/SIGTERM within 2 s (every WebSocket
// gets 1001 going away first).
//
// # Pages
//
//	GET /          files from -web (default demo/web)
//	GET /dist/...  files from -dist (default dist): index.js, redial.wasm
//
// # WebSocket endpoints
//
// Every endpoint takes ?client=ID: the page gives each side-by-side column
// its own id, so the control API can fault columns together or separately.
// The server agrees to the subprotocols "chat" and "redial.v1" when
// offered (none is required). Origins on localhost/127.0.0.1/[::1] (any
// port) are accepted.
//
//	/ws/echo?client=ID    echoes every message, text or binary
//	/ws/ticker?client=ID  one global counter, incremented every 100 ms and
//	                      sent to every ticker connection as text {"tick":N}.
//	                      All clients see the same N sequence, so a client
//	                      that missed ticks (reconnecting, stalled) sees a
//	                      gap of exactly the ticks it missed.
//	                      With ?redial-resume=1 (a resume client adds it) the
//	                      ticker is served by redial's resume server half
//	                      (package server, resume.go): one session per
//	                      client, every tick from its start replayed across
//	                      reconnects, so it misses none. The faults below
//	                      reach those connections too; a close code is a
//	                      close frame written onto the socket, then a drop,
//	                      so the session survives (docs/demo.md).
//	/ws/chat?client=ID    whatever any chat client sends goes to every chat
//	                      client (the sender included), verbatim
//
// # Control API
//
// GET or POST; parameters in the query string or a form body. Answers are
// JSON; a bad parameter gives 400 {"ok":false,"error":"..."}. On the fault
// calls, client=ID targets that client's connections and omitting client
// targets all clients; endpoint=echo|ticker|chat narrows close, cut, stall
// and heal to one endpoint. Every fault call answers
//
//	{"ok":true, "action":"close", "client":"a" (absent when all), "all":false,
//	 "endpoint":"ticker" (absent when all), "affected":2, ...action fields}
//
// where affected is the number of live connections it acted on.
//
//	/api/close?client=ID&code=N&reason=R
//	    The server runs the close handshake with code N (default 1000; any
//	    sendable code: 1000–1003, 1007–1014, 3000–4999; the page offers
//	    1000 1001 1008 1011 1012 1013 4000 4500) and reason R (≤ 123 bytes).
//	    Extra fields: "code", "reason". A stalled connection is un-stalled
//	    first so the frame can go out.
//	/api/cut?client=ID
//	    Drops the TCP connections with no close frame (the client sees 1006).
//	/api/stall?client=ID&ms=30000
//	    Half-open: the TCP connections stay up but the server stops reading
//	    and writing for ms (default 30000, max 600000): pings go unanswered,
//	    ticks and chat are not sent (they are lost, not queued), echoes wait.
//	    ms=0 lifts a stall at once. Extra field: "ms".
//	/api/refuse?client=ID&status=503&retryAfter=S&count=K
//	    The next K (default 1) upgrade attempts on any /ws/* endpoint get
//	    HTTP status (default 503; 400–599, the page offers 401 429 503) with
//	    Retry-After: S when given (integer seconds). Extra fields: "status",
//	    "retryAfter", "count". ("affected" is 0: it acts on future attempts.)
//	/api/restart?client=ID&down=S
//	    Simulates a server restart that lasts S seconds (default 3, may be
//	    fractional, max 300): live WebSocket connections are cut (no close
//	    frame), and for S seconds every upgrade on /ws/* is answered by
//	    dropping the TCP connection at once (RST): to a browser, exactly a
//	    server that is not there. The page and /api/* stay up (see
//	    apiRestart for why this is not a real listener restart). Extra
//	    fields: "downMs", "until" (RFC 3339).
//	/api/heal?client=ID
//	    Cancels pending refusals and restart windows and lifts stalls.
//	    "affected" is the number of stalls lifted.
//	/api/handshake?client=ID
//	    The last upgrade request the server saw for that client (omit client:
//	    for anyone), and its answer, as the server saw and wrote them:
//
//	    {"client":"a", "endpoint":"/ws/echo", "time":"2026-…Z",
//	     "outcome":"upgraded" | "refused" | "rejected" | "reset",
//	     "method":"GET", "path":"/ws/echo", "target":"/ws/echo?client=a", "proto":"HTTP/1.1",
//	     "host":"127.0.0.1:8080", "origin":"http://127.0.0.1:8080",
//	     "upgrade":"websocket", "connection":"Upgrade",
//	     "key":"dGhlIHNhbXBsZSBub25jZQ==", "version":"13",
//	     "protocol":"chat" (offered), "extensions":"permessage-deflate; …",
//	     "requestHeaders":{"Sec-WebSocket-Key":"…", …},
//	     "status":101, "statusText":"Switching Protocols",
//	     "accept":"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" (as coder/websocket wrote it),
//	     "subprotocol":"chat" (agreed), "responseHeaders":{…},
//	     "guid":"258EAFA5-E914-47DA-95CA-C5AB0DC85B11",
//	     "computedAccept":"s3pP…" (base64(SHA-1(key+guid)), computed here),
//	     "acceptMatches":true}
//
//	    For "refused" status is the refusal's and accept is ""; for "reset"
//	    (during a restart window) status is 0. 404 {"ok":false,...} when no
//	    upgrade was seen yet.
//	/api/state
//	    {"tick":1234, "tickMs":100, "total":3,
//	     "clients":{"a":{"echo":1,"ticker":1,"chat":0,"stalled":0}, …},
//	     "restarting":[{"all":true,"remainingMs":2100} | {"all":false,"client":"a",…}],
//	     "refusals":[{"all":false,"client":"a","status":429,"retryAfter":"5","remaining":2}]}
//
//	    clients counts live connections; connections opened without
//	    ?client= are counted under "".
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const defaultAddr = "127.0.0.1:8080"

// shutdownBudget bounds the whole shutdown; the brief says 2 s.
const shutdownBudget = 1800 * time.Millisecond

// run serves until ctx ends and returns the exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", defaultAddr, "address to listen on (or set PORT for 127.0.0.1:PORT)")
	web := fs.String("web", "demo/web", "directory of the demo page, served at /")
	dist := fs.String("dist", "dist", "directory of the browser build (index.js, redial.wasm), served at /dist/")
	quiet := fs.Bool("quiet", false, "do not log each fault applied")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "demo: unexpected argument %q (flags: -addr, -web, -dist)\n", fs.Arg(0))
		return 2
	}
	addrSet := false
	fs.Visit(func(f *flag.Flag) { addrSet = addrSet || f.Name == "addr" })
	if p := getenv("PORT"); p != "" && !addrSet {
		if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 65535 {
			fmt.Fprintf(stderr, "demo: PORT=%q is not a port number\n", p)
			return 2
		}
		*addr = net.JoinHostPort("127.0.0.1", p)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "demo: %s\n", listenError(*addr, err))
		return 1
	}
	for _, d := range []struct{ flag, dir string }{{"-web", *web}, {"-dist", *dist}} {
		if st, err := os.Stat(d.dir); err != nil || !st.IsDir() {
			fmt.Fprintf(stderr, "demo: warning: %s %s is not a directory (yet); it will be served once it exists\n", d.flag, d.dir)
		}
	}

	logger := log.New(stderr, "demo: ", log.Ltime)
	cfg := Config{WebDir: *web, DistDir: *dist}
	if !*quiet {
		cfg.Logf = logger.Printf
	}
	s := NewServer(cfg)
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0), // hijack and reset noise is expected here
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	fmt.Fprintf(stdout, "redial demo: http://%s/ (PORT or -addr to change; Ctrl-C to stop)\n", displayAddr(ln.Addr()))

	select {
	case <-ctx.Done():
	case err := <-served:
		fmt.Fprintf(stderr, "demo: serving stopped: %v\n", err)
		s.Close()
		return 1
	}
	deadline := time.Now().Add(shutdownBudget)
	sctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	// The listener first (no new connections), WebSockets next (1001 going
	// away, then cut), then whatever plain HTTP is left.
	_ = ln.Close()
	s.Close()
	if err := hs.Shutdown(sctx); err != nil {
		_ = hs.Close()
	}
	<-served
	fmt.Fprintln(stderr, "demo: stopped")
	return 0
}

// listenError words a failed listen; a busy port names the way out.
func listenError(addr string, err error) string {
	if !errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Sprintf("cannot listen on %s: %v (change it with -addr HOST:PORT or PORT=N)", addr, err)
	}
	host, port, splitErr := net.SplitHostPort(addr)
	n, convErr := strconv.Atoi(port)
	if splitErr != nil || convErr != nil || n <= 0 || n >= 65535 {
		return fmt.Sprintf("%s is in use; pick another with -addr HOST:PORT or PORT=N", addr)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	next := strconv.Itoa(n + 1)
	return fmt.Sprintf("%s is in use; pick another with -addr %s or PORT=%s", addr, net.JoinHostPort(host, next), next)
}

// displayAddr is a URL host for the address listened on: a wildcard
// address is shown as localhost, which a browser can open.
func displayAddr(a net.Addr) string {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	host := ta.IP.String()
	if ta.IP.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, strconv.Itoa(ta.Port))
}
