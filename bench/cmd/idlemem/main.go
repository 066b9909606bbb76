// Command idlemem is make bench's piece 30: N idle native WebSocket
// connections per client (redial, raw coder/websocket, gorilla), each with
// the one goroutine an app keeps reading it; heap, stack and goroutines per
// connection, client side measured in this process, server side in a
// child process (benchkit.StartServer), reported separately.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/coder/websocket"
	gorilla "github.com/gorilla/websocket"

	"github.com/redial-ws/redial/bench/internal/benchkit"
	"github.com/redial-ws/redial/sdk"
)

// idle is one open connection and the way to close it.
type idle interface{ Close() }

type contender struct {
	name string
	// dial opens one connection and starts the app's reading goroutine,
	// which ends when the connection closes.
	dial func(ctx context.Context, url string) (idle, error)
}

type closer func()

func (c closer) Close() { c() }

var contenders = []contender{
	{"coder", func(ctx context.Context, url string) (idle, error) {
		c, _, err := websocket.Dial(ctx, url, nil)
		if err != nil {
			return nil, err
		}
		benchkit.ReadLoop(func() error { _, _, err := c.Read(context.Background()); return err }, nil)
		return closer(func() { c.CloseNow() }), nil
	}},
	{"gorilla", func(ctx context.Context, url string) (idle, error) {
		c, _, err := gorilla.DefaultDialer.DialContext(ctx, url, nil)
		if err != nil {
			return nil, err
		}
		benchkit.ReadLoop(func() error { _, _, err := c.ReadMessage(); return err }, nil)
		return closer(func() { c.Close() }), nil
	}},
	{"redial", func(ctx context.Context, url string) (idle, error) {
		c, err := sdk.Dial(ctx, url, nil)
		if err != nil {
			return nil, err
		}
		benchkit.ReadLoop(func() error { _, _, err := c.Read(context.Background()); return err }, nil)
		return closer(func() { c.Close(sdk.StatusNormalClosure, "") }), nil
	}},
}

// result is one contender's figures, per connection.
type result struct {
	name                       string
	heap, stack, goroutines    float64 // client
	sHeap, sStack, sGoroutines float64 // server
	dialTime                   time.Duration
}

// workers is how many dials (and closes) run at once.
const workers = 64

// prof, when set, is where measure writes each client's heap profile
// (with %s for the client's name), taken with its connections open.
var prof string

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func measure(ct contender, n int) (result, error) {
	srv, err := benchkit.StartServer()
	if err != nil {
		return result{}, err
	}
	defer srv.Stop()
	sBefore, err := srv.Stats()
	if err != nil {
		return result{}, err
	}
	before := benchkit.ReadMem()
	conns := make([]idle, n)
	start := time.Now()
	err = benchkit.Parallel(n, workers, func(i int) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := ct.dial(ctx, srv.URL)
		if err != nil {
			return fmt.Errorf("%s: connection %d: %w", ct.name, i, err)
		}
		conns[i] = c
		return nil
	})
	dialTime := time.Since(start)
	defer benchkit.Parallel(n, workers, func(i int) error {
		if conns[i] != nil {
			conns[i].Close()
		}
		return nil
	})
	if err != nil {
		return result{}, err
	}
	sAfter, err := srv.WaitOpen(n, 30*time.Second)
	if err != nil {
		return result{}, err
	}
	time.Sleep(time.Second) // let every connection's goroutines settle into their idle waits
	after := benchkit.ReadMem()
	if prof != "" {
		if err := writeHeapProfile(fmt.Sprintf(prof, ct.name)); err != nil {
			return result{}, err
		}
	}
	N := float64(n)
	return result{
		name:        ct.name,
		heap:        (float64(after.Heap) - float64(before.Heap)) / N,
		stack:       (float64(after.Stack) - float64(before.Stack)) / N,
		goroutines:  float64(after.Goroutines-before.Goroutines) / N,
		sHeap:       (float64(sAfter.Heap) - float64(sBefore.Heap)) / N,
		sStack:      (float64(sAfter.Stack) - float64(sBefore.Stack)) / N,
		sGoroutines: float64(sAfter.Goroutines-sBefore.Goroutines) / N,
		dialTime:    dialTime,
	}, nil
}

func main() {
	benchkit.MaybeServe()
	n := flag.Int("n", 10000, "idle connections per contender")
	dir := flag.String("out", "bench/out", "output directory")
	name := flag.String("name", "30-idle-memory", "piece name (output file prefix)")
	flag.StringVar(&prof, "heapprofile", "", "write each client's heap profile here (%s: the client's name)")
	flag.Parse()
	// Finer heap sampling than the default 512 KiB, so the profile's
	// per-connection items (a few hundred bytes each) are not sampling noise.
	runtime.MemProfileRate = 16 << 10
	if err := run(*n, *dir, *name); err != nil {
		fmt.Fprintln(os.Stderr, "idlemem:", err)
		os.Exit(1)
	}
}

func run(n int, dir, name string) error {
	lim, err := benchkit.RaiseFDLimit()
	if err != nil {
		return err
	}
	if lim < uint64(n)+100 {
		return fmt.Errorf("fd limit %d is under %d connections", lim, n)
	}
	var rs []result
	for _, ct := range contenders {
		r, err := measure(ct, n)
		if err != nil {
			return err
		}
		fmt.Printf("%s: %d connections dialed in %v: heap %.0f B, stack %.0f B, %.2f goroutines per connection (server: heap %.0f B, %.2f goroutines)\n",
			r.name, n, r.dialTime.Round(time.Millisecond), r.heap, r.stack, r.goroutines, r.sHeap, r.sGoroutines)
		rs = append(rs, r)
	}
	return report(n, dir, name, rs)
}
