// Package bench compares redial with the transport it wraps, side by side
// in one run, so the cost of reconnection, queueing and events is a ratio,
// not a claim. Run: make bench.
package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/redial-ws/redial/sdk"
)

// echoServer is the same coder/websocket echo server for every client.
func echoServer(b *testing.B) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(1 << 20)
		for {
			typ, p, err := c.Read(r.Context())
			if err != nil {
				return
			}
			if err := c.Write(r.Context(), typ, p); err != nil {
				return
			}
		}
	}))
	b.Cleanup(srv.Close)
	return strings.Replace(srv.URL, "http", "ws", 1)
}

// client is what both contenders offer to the benchmark.
type client interface {
	Write(ctx context.Context, p []byte) error
	Read(ctx context.Context) ([]byte, error)
	Close()
}

type coderClient struct{ c *websocket.Conn }

func (c coderClient) Write(ctx context.Context, p []byte) error {
	return c.c.Write(ctx, websocket.MessageBinary, p)
}
func (c coderClient) Read(ctx context.Context) ([]byte, error) {
	_, p, err := c.c.Read(ctx)
	return p, err
}
func (c coderClient) Close() { c.c.Close(websocket.StatusNormalClosure, "") }

type redialClient struct{ c *sdk.Conn }

func (c redialClient) Write(ctx context.Context, p []byte) error {
	return c.c.Write(ctx, sdk.MessageBinary, p)
}
func (c redialClient) Read(ctx context.Context) ([]byte, error) {
	_, p, err := c.c.Read(ctx)
	return p, err
}
func (c redialClient) Close() { c.c.Close(sdk.StatusNormalClosure, "") }

var contenders = []struct {
	name string
	dial func(ctx context.Context, url string) (client, error)
}{
	{"coder", func(ctx context.Context, url string) (client, error) {
		c, _, err := websocket.Dial(ctx, url, nil)
		if err != nil {
			return nil, err
		}
		c.SetReadLimit(1 << 20)
		return coderClient{c}, nil
	}},
	{"redial", func(ctx context.Context, url string) (client, error) {
		c, err := sdk.Dial(ctx, url, nil)
		return redialClient{c}, err
	}},
}

var sizes = []struct {
	name string
	n    int
}{{"64B", 64}, {"4KiB", 4 << 10}, {"64KiB", 64 << 10}}

// BenchmarkRoundTrip: one message out, its echo back, one at a time:
// the latency cost per message.
func BenchmarkRoundTrip(b *testing.B) {
	url := echoServer(b)
	for _, sz := range sizes {
		for _, ct := range contenders {
			b.Run("size="+sz.name+"/client="+ct.name, func(b *testing.B) {
				ctx := context.Background()
				c, err := ct.dial(ctx, url)
				if err != nil {
					b.Fatal(err)
				}
				defer c.Close()
				msg := make([]byte, sz.n)
				b.SetBytes(int64(sz.n))
				b.ReportAllocs()
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
	}
}

// BenchmarkPipelined: a writer and a reader run concurrently, 64 messages
// in flight: the throughput cost.
func BenchmarkPipelined(b *testing.B) {
	url := echoServer(b)
	for _, sz := range sizes[:2] {
		for _, ct := range contenders {
			b.Run("size="+sz.name+"/client="+ct.name, func(b *testing.B) {
				ctx := context.Background()
				c, err := ct.dial(ctx, url)
				if err != nil {
					b.Fatal(err)
				}
				defer c.Close()
				msg := make([]byte, sz.n)
				credits := make(chan struct{}, 64)
				errc := make(chan error, 1)
				b.SetBytes(int64(sz.n))
				b.ReportAllocs()
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
	}
}
