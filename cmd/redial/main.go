// Command redial is a wscat-like WebSocket client built on the redial SDK:
// it stays connected, reconnecting by the SDK's policy.
//
//	redial [flags] URL
//
// It takes wscat's and websocat's flags (-c, -s, -H, -o, --auth, -x, -w,
// -P, --slash, -n/-k, --ca, -b; redial --help lists them, with examples;
// docs/cli.md). Each line of stdin is sent as a text message (binary with
// -b); each message received is printed on stdout (binary ones as
// "<binary N bytes>", or in hex with -hex or -b, base64 with --base64).
// State changes go to stderr in words; -v adds the opening handshake and
// its Sec-WebSocket-Accept check. The exit status says why it ended:
//
//	0    stdin ended, -x's wait passed or --slash's /close (closed after
//	     sending everything), or the server closed with 1000 and the
//	     policy said not to reconnect
//	1    any other failure (e.g. cannot connect with -no-reconnect)
//	2    usage error or bad URL
//	3    closed for good by the server (or the connection was lost) with
//	     a code other than 1000, e.g. 1008 policy violation
//	4    handshake refused (HTTP status other than 101, no subprotocol)
//	5    retries exhausted (-max-retries)
//	130  interrupted (SIGINT; 143 for SIGTERM): an open connection is
//	     closed cleanly with 1000
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		signal.Stop(sigs) // a second Ctrl-C kills at once, without waiting for the close
		cancel(signalCause{s})
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
