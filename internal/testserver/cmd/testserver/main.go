// Command testserver runs the loopback WebSocket test server for tests that
// live outside a Go test binary (wasm in a browser, JS in Node). It prints
// one JSON line with its two URLs and serves until SIGINT/SIGTERM or until
// its stdin reaches EOF, so a parent that dies (closing the pipe) takes it
// down instead of leaking it.
//
//	{"ws":"ws://127.0.0.1:P","control":"http://127.0.0.1:C"}
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/redial-ws/redial/internal/testserver"
)

func main() {
	watchStdin := flag.Bool("stdin", true, "exit when stdin reaches EOF (disable when running by hand in the background)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var stdin io.Reader
	if *watchStdin {
		stdin = os.Stdin
	}
	if err := run(ctx, stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "testserver:", err)
		os.Exit(1)
	}
}

// addrs is the single line announced on stdout.
type addrs struct {
	WS      string `json:"ws"`
	Control string `json:"control"`
}

// run serves until ctx is done or stdin (if non-nil) reaches EOF.
func run(ctx context.Context, stdin io.Reader, stdout io.Writer) error {
	s, err := testserver.Start()
	if err != nil {
		return err
	}
	defer s.Close()

	line, err := json.Marshal(addrs{WS: s.URL(""), Control: s.ControlURL()})
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(stdout, "%s\n", line); err != nil {
		return err
	}

	eof := make(chan struct{})
	if stdin != nil {
		// This reader can only end with stdin; in the real command the
		// process exits right after, so it never outlives its purpose.
		go func() {
			_, _ = io.Copy(io.Discard, stdin)
			close(eof)
		}()
	}
	select {
	case <-ctx.Done():
	case <-eof:
	}
	return nil
}
