// Command backpressure is the loopback side of bench/run.d/60-backpressure.sh:
//
//	backpressure serve -dist DIR -wasm DIR   a server that floods each WebSocket
//	                               at /flood with 1 KiB binary messages at -rate
//	                               msg/s and counts the bytes its writes
//	                               completed; it serves the redial-ws build at
//	                               /dist/, wasmreader's at /wasm/, a blank page at /.
//	backpressure plot IN.csv OUT.svg   the memory curves, with gonum/plot.
//
// serve prints {"origin":"http://127.0.0.1:P"} and runs until stdin closes.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: backpressure serve|plot ...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(os.Args[2:])
	case "plot":
		err = plotCSV(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "backpressure:", err)
		os.Exit(1)
	}
}

// flood is one /flood?id=X connection's count of bytes whose Write returned:
// with read backpressure, Write blocks once the TCP buffers are full.
type flood struct {
	mu   sync.Mutex
	sent map[string]*atomic.Int64
}

func (f *flood) counter(id string) *atomic.Int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.sent[id]
	if !ok {
		c = new(atomic.Int64)
		f.sent[id] = c
	}
	return c
}

func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	dist := fs.String("dist", "dist", "the redial-ws build to serve at /dist/")
	wasm := fs.String("wasm", "", "a directory to serve at /wasm/ (wasmreader.wasm, wasm_exec.js)")
	rate := fs.Int("rate", 10000, "messages per second per connection")
	size := fs.Int("size", 1024, "bytes per message")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f := &flood{sent: map[string]*atomic.Int64{}}
	mux := http.NewServeMux()
	mux.Handle("/dist/", http.StripPrefix("/dist/", http.FileServer(http.Dir(*dist))))
	if *wasm != "" {
		mux.Handle("/wasm/", http.StripPrefix("/wasm/", http.FileServer(http.Dir(*wasm))))
	}
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "<!doctype html><title>backpressure</title>")
	})
	mux.HandleFunc("/sent", func(w http.ResponseWriter, _ *http.Request) {
		out := map[string]int64{}
		f.mu.Lock()
		for id, c := range f.sent {
			out[id] = c.Load()
		}
		f.mu.Unlock()
		_ = json.NewEncoder(w).Encode(out)
	})
	mux.HandleFunc("/flood", func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		sendAt(r.Context(), c, f.counter(r.URL.Query().Get("id")), *rate, *size)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	fmt.Printf("{\"origin\":\"http://%s\"}\n", ln.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return srv.Shutdown(ctx)
}

// sendAt writes rate messages a second, in 10 ms ticks; a tick missed
// while a Write blocked is skipped, not made up, so the offered rate never
// exceeds rate.
func sendAt(ctx context.Context, c *websocket.Conn, sent *atomic.Int64, rate, size int) {
	msg := make([]byte, size)
	per := max(rate/100, 1)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
		case <-ctx.Done():
			return
		}
		for range per {
			if err := c.Write(ctx, websocket.MessageBinary, msg); err != nil {
				return
			}
			sent.Add(int64(size))
		}
	}
}
