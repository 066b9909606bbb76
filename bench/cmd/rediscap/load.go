package main

import (
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
	"github.com/redial-ws/redial/server/redisstore"
	"github.com/redis/go-redis/v9"
)

// node is one server.Server with the Redis store (default options: what a
// deployment gets) on a loopback port, every session's handler an echo.
type node struct {
	srv *server.Server
	hs  *http.Server
	rdb *redis.Client
	url string
}

// startNode starts the node; memory: the MemoryStore instead (a
// diagnostic run: the same load without Redis); poolSize: go-redis's
// PoolSize (0: its default, 10 per GOMAXPROCS).
func startNode(redisAddr string, memory bool, poolSize int) (*node, error) {
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr, PoolSize: poolSize})
	var store server.Store = redisstore.New(rdb, nil)
	if memory {
		store = server.NewMemoryStore(nil)
	}
	srv := server.New(&server.Options{Store: store}, echo)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		_ = rdb.Close()
		return nil, err
	}
	n := &node{srv: srv, hs: &http.Server{Handler: srv}, rdb: rdb, url: "ws://" + ln.Addr().String() + "/"}
	go func() { _ = n.hs.Serve(ln) }()
	return n, nil
}

func (n *node) close() {
	_ = n.srv.Close()
	_ = n.hs.Close()
	_ = n.rdb.Close()
}

// echo writes every message back: one SetDelivered (Read) and one Append
// (Write) in Redis per message, plus the acks.
func echo(ctx context.Context, s *server.Session) {
	for {
		typ, p, err := s.Read(ctx)
		if err != nil {
			return
		}
		if s.Write(ctx, typ, p) != nil {
			return
		}
	}
}

// load is the client side: resume sessions (sdk.Conn, Options.Resume),
// each sending one `size`-byte message per `every` (1 KiB/s by default)
// at a random phase, and timing each echo. A message carries its send
// time (ns since start) in its first 8 bytes.
type load struct {
	url   string
	size  int
	every time.Duration
	start time.Time
	rec   recorder

	ctx   context.Context
	stop  context.CancelFunc
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns []*sdk.Conn

	writeErrs, readErrs atomic.Int64
}

func newLoad(url string, size int, every time.Duration) *load {
	ctx, stop := context.WithCancel(context.Background())
	return &load{url: url, size: size, every: every, start: time.Now(), ctx: ctx, stop: stop}
}

func (l *load) sessions() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns)
}

// grow dials sessions (par at a time) until there are k.
func (l *load) grow(k, par int) error {
	need := k - l.sessions()
	if need <= 0 {
		return nil
	}
	errs := make(chan error, need)
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for range need {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs <- l.add()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (l *load) add() error {
	ctx, cancel := context.WithTimeout(l.ctx, 30*time.Second)
	defer cancel()
	c, err := sdk.Dial(ctx, l.url, &sdk.Options{Resume: true})
	if err != nil {
		return err
	}
	l.mu.Lock()
	l.conns = append(l.conns, c)
	l.mu.Unlock()
	l.wg.Go(func() { l.read(c) })
	l.wg.Go(func() { l.send(c) })
	return nil
}

func (l *load) send(c *sdk.Conn) {
	p := make([]byte, l.size)
	phase := time.Duration(rand.Int64N(int64(l.every)))
	select {
	case <-time.After(phase):
	case <-l.ctx.Done():
		return
	}
	tick := time.NewTicker(l.every)
	defer tick.Stop()
	for {
		ns := time.Since(l.start).Nanoseconds()
		binary.LittleEndian.PutUint64(p, uint64(ns))
		l.rec.sent(ns)
		if err := c.Write(l.ctx, sdk.MessageBinary, p); err != nil {
			if l.ctx.Err() == nil {
				l.writeErrs.Add(1)
			}
			return
		}
		select {
		case <-tick.C:
		case <-l.ctx.Done():
			return
		}
	}
}

func (l *load) read(c *sdk.Conn) {
	for {
		_, p, err := c.Read(l.ctx)
		if err != nil {
			if l.ctx.Err() == nil {
				l.readErrs.Add(1)
			}
			return
		}
		if len(p) < 8 {
			l.readErrs.Add(1)
			continue
		}
		ns := int64(binary.LittleEndian.Uint64(p))
		l.rec.got(ns, time.Since(l.start).Nanoseconds()-ns)
	}
}

// close ends every session (a close frame each) and waits for the loops.
func (l *load) close() {
	l.stop()
	l.mu.Lock()
	conns := l.conns
	l.mu.Unlock()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for _, c := range conns {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			_ = c.Close(sdk.StatusNormalClosure, "")
		})
	}
	wg.Wait()
	l.wg.Wait()
}

// recorder keeps the latencies of the messages sent inside a window
// [from, to) (ns since start), and how many were sent in it, so a
// message that never came back is counted, not silently dropped.
type recorder struct {
	mu       sync.Mutex
	from, to int64
	nSent    int
	lats     []int64
}

func (r *recorder) open(from int64) {
	r.mu.Lock()
	r.from, r.to, r.nSent, r.lats = from, 1<<62, 0, r.lats[:0]
	r.mu.Unlock()
}

func (r *recorder) closeAt(to int64) {
	r.mu.Lock()
	r.to = to
	r.mu.Unlock()
}

func (r *recorder) in(ns int64) bool { return ns >= r.from && ns < r.to }

func (r *recorder) sent(ns int64) {
	r.mu.Lock()
	if r.in(ns) {
		r.nSent++
	}
	r.mu.Unlock()
}

func (r *recorder) got(ns, lat int64) {
	r.mu.Lock()
	if r.in(ns) {
		r.lats = append(r.lats, lat)
	}
	r.mu.Unlock()
}

// drain waits until every message sent in the closed window came back,
// or grace passed; it returns the sorted latencies and the count missing.
func (r *recorder) drain(grace time.Duration) ([]time.Duration, int) {
	deadline := time.Now().Add(grace)
	for {
		r.mu.Lock()
		done := len(r.lats) >= r.nSent
		r.mu.Unlock()
		if done || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond) // counters, no doorbell: a bench, not a test
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]time.Duration, len(r.lats))
	for i, v := range r.lats {
		out[i] = time.Duration(v)
	}
	slices.Sort(out)
	r.to = r.from // closed: late arrivals no longer count
	return out, r.nSent - len(out)
}

// quantile is the q-quantile of sorted d (nearest rank).
func quantile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	i := int(q*float64(len(d))+0.999999) - 1
	return d[min(max(i, 0), len(d)-1)]
}

var errNoSamples = errors.New("no echo came back in the window")
