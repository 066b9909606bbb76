package bench

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/redial-ws/redial/server"
)

// Names read server=/type=/size=/client=, so benchstat -col /client puts
// the contenders side by side (bench/run.d/10-native.sh).
//
//   - server=coder: one coder/websocket echo (coderEcho) for raw
//     coder/websocket, gorilla/websocket and redial with resume off.
//   - server=resume: one redial server.Server echo (MemoryStore) for
//     redial with resume on and off, and raw coder/websocket as a plain
//     client of the same server: the resume protocol's cost is
//     redial-resume against redial there.

var sizes = []struct {
	name string
	n    int
}{{"16B", 16}, {"1KiB", 1 << 10}, {"64KiB", 64 << 10}}

var types = []struct {
	name string
	text bool
}{{"binary", false}, {"text", true}}

type target struct {
	name    string
	url     string
	clients []contender
}

// targets starts both servers; they stop with b.
func targets(b *testing.B) []target {
	plain := httptest.NewServer(http.HandlerFunc(coderEcho))
	b.Cleanup(plain.Close)
	srv := server.New(&server.Options{ReadLimit: readLimit, Store: server.NewMemoryStore(time.Now)}, echoSession)
	hs := httptest.NewServer(srv)
	b.Cleanup(func() { hs.Close(); srv.Close() })
	return []target{
		{"coder", wsURL(plain.URL), []contender{coderC, redialC, gorillaC}},
		{"resume", wsURL(hs.URL), []contender{coderC, redialC, redialResumeC}},
	}
}

func echoSession(ctx context.Context, s *server.Session) {
	for {
		typ, p, err := s.Read(ctx)
		if err != nil || s.Write(ctx, typ, p) != nil {
			return
		}
	}
}

// each runs body for every server, type, size and client, on a fresh
// connection, with one message of that size and type (ASCII: valid text).
func each(b *testing.B, body func(b *testing.B, c client, msg []byte)) {
	for _, tg := range targets(b) {
		for _, ty := range types {
			for _, sz := range sizes {
				for _, ct := range tg.clients {
					name := "server=" + tg.name + "/type=" + ty.name + "/size=" + sz.name + "/client=" + ct.name
					b.Run(name, func(b *testing.B) {
						ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
						c, err := ct.dial(ctx, tg.url, ty.text)
						cancel()
						if err != nil {
							b.Fatal(err)
						}
						// Close outside the timed run: a resume client's Close
						// waits for the server's last ACK (up to its AckDelay,
						// 50 ms: docs/resume.md "Closing"), which would count
						// as 2-3x slower pipelined runs of 100 ms.
						defer func() { b.StopTimer(); c.Close() }()
						msg := bytes.Repeat([]byte{'a'}, sz.n)
						b.SetBytes(int64(sz.n))
						b.ReportAllocs()
						cpu0 := cpuTime()
						body(b, c, msg)
						// CPU time (this process: client and server) per op
						// moves less than wall time on a loaded machine.
						b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
					})
				}
			}
		}
	}
}

// BenchmarkRoundTrip: one message out, its echo back, one at a time: the
// latency a lone request/response sees.
func BenchmarkRoundTrip(b *testing.B) {
	each(b, func(b *testing.B, c client, msg []byte) {
		ctx := context.Background()
		for b.Loop() {
			if err := c.Write(ctx, msg); err != nil {
				b.Fatal(err)
			}
			if _, err := c.Read(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkPipelined: a writer and a reader run together, up to 64
// messages in flight: the throughput of a stream.
func BenchmarkPipelined(b *testing.B) {
	each(b, func(b *testing.B, c client, msg []byte) {
		ctx := context.Background()
		credits := make(chan struct{}, 64)
		errc := make(chan error, 1)
		b.ResetTimer()
		go func() {
			for range b.N {
				credits <- struct{}{}
				if err := c.Write(ctx, msg); err != nil {
					errc <- err
					return
				}
			}
			errc <- nil
		}()
		for range b.N {
			if _, err := c.Read(ctx); err != nil {
				b.Fatal(err)
			}
			<-credits
		}
		if err := <-errc; err != nil {
			b.Fatal(err)
		}
	})
}

// cpuTime is the user and system CPU time this process used, in ns.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
