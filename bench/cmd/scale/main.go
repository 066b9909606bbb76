// Command scale is make bench's piece 40: 1 to 1,000 concurrent native
// clients, each echoing 1 KiB messages one at a time for a fixed time,
// redial vs raw coder/websocket: messages/s in all, RTT p50/p99, client
// heap and goroutines. The echo server is a child process
// (benchkit.StartServer), so the client's memory is its own.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/redial-ws/redial/bench/internal/benchkit"
	"github.com/redial-ws/redial/sdk"
)

// echoer is one client: a round trip is a Write then the Read of its echo.
type echoer interface {
	roundTrip(ctx context.Context, p []byte) error
	close()
}

type coderClient struct{ c *websocket.Conn }

func (c coderClient) roundTrip(ctx context.Context, p []byte) error {
	if err := c.c.Write(ctx, websocket.MessageBinary, p); err != nil {
		return err
	}
	_, _, err := c.c.Read(ctx)
	return err
}
func (c coderClient) close() { c.c.CloseNow() }

type redialClient struct{ c *sdk.Conn }

func (c redialClient) roundTrip(ctx context.Context, p []byte) error {
	if err := c.c.Write(ctx, sdk.MessageBinary, p); err != nil {
		return err
	}
	_, _, err := c.c.Read(ctx)
	return err
}
func (c redialClient) close() { c.c.Close(sdk.StatusNormalClosure, "") }

var contenders = []struct {
	name string
	dial func(ctx context.Context, url string) (echoer, error)
}{
	{"coder", func(ctx context.Context, url string) (echoer, error) {
		c, _, err := websocket.Dial(ctx, url, nil)
		return coderClient{c}, err
	}},
	{"redial", func(ctx context.Context, url string) (echoer, error) {
		c, err := sdk.Dial(ctx, url, nil)
		return redialClient{c}, err
	}},
}

// echoAll runs every client's round trips for d and returns each one's
// RTTs (if record).
func echoAll(cs []echoer, d time.Duration, size int, record bool) ([][]time.Duration, error) {
	var (
		stop atomic.Bool
		wg   sync.WaitGroup
		rtts = make([][]time.Duration, len(cs))
		errs = make([]error, len(cs))
	)
	for i, c := range cs {
		wg.Go(func() {
			msg := make([]byte, size)
			ctx := context.Background()
			for !stop.Load() {
				t := time.Now()
				if err := c.roundTrip(ctx, msg); err != nil {
					errs[i] = err
					return
				}
				if record {
					rtts[i] = append(rtts[i], time.Since(t))
				}
			}
		})
	}
	time.Sleep(d)
	stop.Store(true)
	wg.Wait()
	return rtts, errors.Join(errs...)
}

// point is one contender at one level of concurrency.
type point struct {
	client     string
	clients    int
	msgs       int
	dur        time.Duration
	p50, p99   time.Duration
	heap       float64 // client heap per connection, after GC, bytes
	goroutines int     // client goroutines over the baseline
}

func (p point) rate() float64 { return float64(p.msgs) / p.dur.Seconds() }

func measure(url, name string, dial func(context.Context, string) (echoer, error), n int, d time.Duration, size int) (point, error) {
	before := benchkit.ReadMem()
	cs := make([]echoer, n)
	err := benchkit.Parallel(n, 64, func(i int) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := dial(ctx, url)
		if err != nil {
			return fmt.Errorf("%s: client %d: %w", name, i, err)
		}
		cs[i] = c
		return nil
	})
	defer benchkit.Parallel(n, 64, func(i int) error {
		if cs[i] != nil {
			cs[i].close()
		}
		return nil
	})
	if err != nil {
		return point{}, err
	}
	// A short untimed warm-up first, then the memory (with every client
	// connected and through its first messages, before the timed run's
	// RTT samples take room), then the timed run.
	if _, err := echoAll(cs, 300*time.Millisecond, size, false); err != nil {
		return point{}, fmt.Errorf("%s with %d clients, warm-up: %w", name, n, err)
	}
	after := benchkit.ReadMem()
	start := time.Now()
	rtts, err := echoAll(cs, d, size, true)
	elapsed := time.Since(start)
	if err != nil {
		return point{}, fmt.Errorf("%s with %d clients: %w", name, n, err)
	}
	var all []time.Duration
	for _, r := range rtts {
		all = append(all, r...)
	}
	return point{
		client: name, clients: n, msgs: len(all), dur: elapsed,
		p50: benchkit.Percentile(all, 50), p99: benchkit.Percentile(all, 99),
		heap:       (float64(after.Heap) - float64(before.Heap)) / float64(n),
		goroutines: after.Goroutines - before.Goroutines,
	}, nil
}

func main() {
	benchkit.MaybeServe()
	levels := flag.String("clients", "1,10,100,300,1000", "concurrent clients, comma-separated")
	d := flag.Duration("for", 3*time.Second, "echo time per level and client")
	size := flag.Int("size", 1024, "message size, bytes")
	dir := flag.String("out", "bench/out", "output directory")
	name := flag.String("name", "40-scale", "piece name (output file prefix)")
	flag.Parse()
	if err := run(*levels, *d, *size, *dir, *name); err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

func run(levels string, d time.Duration, size int, dir, name string) error {
	if _, err := benchkit.RaiseFDLimit(); err != nil {
		return err
	}
	srv, err := benchkit.StartServer()
	if err != nil {
		return err
	}
	defer srv.Stop()
	var ps []point
	for _, l := range strings.Split(levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(l))
		if err != nil || n < 1 {
			return fmt.Errorf("-clients: %q is not a positive number", l)
		}
		for _, ct := range contenders {
			p, err := measure(srv.URL, ct.name, ct.dial, n, d, size)
			if err != nil {
				return err
			}
			fmt.Printf("%s, %d clients: %.0f msg/s, RTT p50 %v p99 %v, heap %.0f B/conn, %d goroutines\n",
				ct.name, n, p.rate(), p.p50, p.p99, p.heap, p.goroutines)
			ps = append(ps, p)
		}
	}
	return report(dir, name, d, size, ps)
}
