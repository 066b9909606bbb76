package bench

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"
)

// idleConns is how many idle connections BenchmarkIdle holds per client:
// enough to average out, small enough for a quick piece (the 10,000
// connection figure is bench/run.d/30-idle-memory.sh's).
const idleConns = 100

// echoChildEnv makes the test binary an echo server (see TestMain), so
// BenchmarkIdle's process holds the clients only: its goroutines and heap
// are theirs.
const echoChildEnv = "REDIAL_BENCH_ECHO_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(echoChildEnv) == "1" {
		serveEchoChild()
		return
	}
	os.Exit(m.Run())
}

// serveEchoChild prints its address and echoes until stdin closes.
func serveEchoChild() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	go func() { _ = http.Serve(ln, http.HandlerFunc(coderEcho)) }()
	fmt.Println("ws://" + ln.Addr().String())
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
}

func startEchoChild(b *testing.B) string {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), echoChildEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = stdin.Close(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "ws://") {
		b.Fatalf("echo child: %q, %v", line, err)
	}
	return strings.TrimSpace(line)
}

// BenchmarkIdle holds idleConns open, idle connections per client, each
// with the one goroutine an app spends reading it (a raw
// coder/websocket or gorilla connection needs a reader to answer pings and
// see a close; so does an app that wants redial's messages), and reports
// goroutines and heap bytes per connection. The server is another process.
// Run with -benchtime 1x.
func BenchmarkIdle(b *testing.B) {
	url := startEchoChild(b)
	for _, ct := range []contender{coderC, gorillaC, redialC} {
		b.Run("client="+ct.name, func(b *testing.B) {
			var gor, heap float64
			for b.Loop() {
				gor, heap = idleOnce(b, ct, url)
			}
			b.ReportMetric(gor, "goroutines/conn")
			b.ReportMetric(heap, "heap-B/conn")
		})
	}
}

func idleOnce(b *testing.B, ct contender, url string) (goroutines, heapBytes float64) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	g0, h0 := settle()
	clients := make([]client, 0, idleConns)
	readers := make(chan struct{}, idleConns)
	for range idleConns {
		c, err := ct.dial(ctx, url, false)
		if err != nil {
			b.Fatal(err)
		}
		clients = append(clients, c)
		go func() {
			defer func() { readers <- struct{}{} }()
			for {
				if _, err := c.Read(context.Background()); err != nil {
					return
				}
			}
		}()
	}
	g1, h1 := settle()
	for _, c := range clients {
		c.Close()
	}
	for range idleConns {
		<-readers
	}
	runtime.KeepAlive(clients)
	return float64(g1-g0) / idleConns, float64(h1-h0) / idleConns
}

// settle lets goroutines park and the heap be collected, then reads both.
func settle() (goroutines int, heap uint64) {
	var ms runtime.MemStats
	for range 3 {
		time.Sleep(50 * time.Millisecond)
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return runtime.NumGoroutine(), ms.HeapAlloc
}
