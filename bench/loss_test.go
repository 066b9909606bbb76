package bench

import (
	"context"
	"encoding/binary"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/redial-ws/redial/internal/testserver"
	"github.com/redial-ws/redial/sdk"
)

// BenchmarkLossAcrossCuts measures what "at most once" means in practice:
// one op writes 20,000 numbered messages through a TCP proxy that resets
// the connection every 100 messages (200 cuts, unpaced), and reports how
// many the server never received (lost), received twice (dup) or out of
// order (reordered). Write returned nil for every one of them. Run:
//
//	go test -run '^$' -bench LossAcrossCuts -benchtime 3x ./bench
func BenchmarkLossAcrossCuts(b *testing.B) {
	const total, every = 20000, 100
	for _, paced := range []bool{false, true} {
		name := "paced=false"
		if paced {
			name = "paced=true"
		}
		b.Run(name, func(b *testing.B) {
			var lost, dup, reord int
			for b.Loop() {
				l, d, r := lossRun(b, total, every, paced)
				lost, dup, reord = lost+l, dup+d, reord+r
			}
			b.ReportMetric(float64(lost)/float64(b.N), "lost/op")
			b.ReportMetric(float64(dup)/float64(b.N), "dup/op")
			b.ReportMetric(float64(reord)/float64(b.N), "reordered/op")
		})
	}
}

// sink is a server that records the sequence numbers it receives, across
// connections, and signals when the last one arrived.
type sink struct {
	mu   sync.Mutex
	got  []uint32
	last uint32
	end  chan struct{}
	once sync.Once
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	for {
		_, p, err := c.Read(r.Context())
		if err != nil {
			return
		}
		n := binary.BigEndian.Uint32(p)
		s.mu.Lock()
		s.got = append(s.got, n)
		s.mu.Unlock()
		if n == s.last {
			s.once.Do(func() { close(s.end) })
		}
	}
}

func lossRun(b *testing.B, total, every int, paced bool) (lost, dup, reordered int) {
	s := &sink{last: uint32(total - 1), end: make(chan struct{})}
	srv := httptest.NewServer(s)
	defer srv.Close()
	px, err := testserver.StartProxy(strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		b.Fatal(err)
	}
	defer px.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := sdk.Dial(ctx, "ws://"+px.Addr()+"/", &sdk.Options{
		Backoff: sdk.Backoff{Initial: time.Millisecond, Max: 5 * time.Millisecond},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(sdk.StatusNormalClosure, "")
	msg := make([]byte, 4)
	for i := range total {
		if i > 0 && i%every == 0 {
			px.Cut()
		}
		if paced {
			time.Sleep(50 * time.Microsecond)
		}
		binary.BigEndian.PutUint32(msg, uint32(i))
		for {
			err := c.Write(ctx, sdk.MessageBinary, msg)
			if err == nil {
				break
			}
			if !errors.Is(err, sdk.ErrQueueFull) {
				b.Fatal(err)
			}
			time.Sleep(time.Millisecond) // down and full: the app was told; retry
		}
	}
	select {
	case <-s.end:
	case <-ctx.Done():
		b.Fatal("the last message never arrived")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := make(map[uint32]bool, total)
	prev := -1
	for _, n := range s.got {
		if seen[n] {
			dup++
		}
		seen[n] = true
		if int(n) < prev {
			reordered++
		}
		prev = int(n)
	}
	return total - len(seen), dup, reordered
}
