package testserver

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/redial-ws/redial/internal/faults"
)

// Proxy is a TCP relay in front of a target, used to produce the faults a
// server cannot: connection resets on both sides (Cut) and a path that
// silently stops carrying bytes while both sockets stay open (Freeze).
type Proxy struct {
	target string // guarded by mu (Retarget)
	ln     net.Listener

	// ctx aborts dials to the target when the proxy closes.
	ctx    context.Context
	cancel context.CancelFunc

	closeOnce sync.Once

	mu     sync.Mutex
	closed bool
	pipes  map[*pipe]struct{}
	open   chan struct{} // closed while thawed; a fresh, open channel while frozen
	delay  time.Duration // added before each chunk is forwarded (SetDelay)

	wg sync.WaitGroup // accept loop and one per pipe
}

// pipe is one proxied connection: client <-> proxy <-> target.
type pipe struct {
	client, server net.Conn
	closeOnce      sync.Once
	closed         chan struct{} // wakes copiers parked by Freeze
	done           chan struct{} // both copiers have exited
}

// StartProxy listens on 127.0.0.1:0 and relays each connection to target
// (host:port).
func StartProxy(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("testserver: proxy listen: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	thawed := make(chan struct{})
	close(thawed)
	p := &Proxy{
		target: target,
		ln:     ln,
		ctx:    ctx,
		cancel: cancel,
		pipes:  make(map[*pipe]struct{}),
		open:   thawed,
	}
	p.wg.Add(1)
	go p.acceptLoop()
	return p, nil
}

// Addr returns the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

func (p *Proxy) acceptLoop() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // listener closed by Close
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		p.wg.Add(1)
		p.mu.Unlock()
		go p.relay(c)
	}
}

// relay dials the target for client and copies both ways until either side
// ends, Cut or Close.
func (p *Proxy) relay(client net.Conn) {
	defer p.wg.Done()
	d := net.Dialer{Timeout: 5 * time.Second}
	p.mu.Lock()
	target := p.target
	p.mu.Unlock()
	server, err := d.DialContext(p.ctx, "tcp", target)
	if err != nil {
		faults.RST(client) // what a client sees when the target is down
		return
	}
	pp := &pipe{client: client, server: server, closed: make(chan struct{}), done: make(chan struct{})}
	defer close(pp.done)

	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		pp.close(true)
		return
	}
	p.pipes[pp] = struct{}{}
	p.mu.Unlock()

	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); p.copy(server, client, pp) }()
	go func() { defer wg.Done(); p.copy(client, server, pp) }()
	wg.Wait()

	p.mu.Lock()
	delete(p.pipes, pp)
	p.mu.Unlock()
}

// copy forwards src to dst, parking before each write while frozen. When
// one direction ends the whole pipe is closed: WebSocket never relies on a
// TCP half-close, and this keeps both copiers from outliving each other.
func (p *Proxy) copy(dst, src net.Conn, pp *pipe) {
	defer pp.close(false)
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			open, delay := p.open, p.delay
			p.mu.Unlock()
			select {
			case <-open:
			case <-pp.closed:
				return
			}
			if delay > 0 && !pp.sleep(delay) {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// close shuts both sockets once; abrupt sends RST instead of FIN.
func (pp *pipe) close(abrupt bool) {
	pp.closeOnce.Do(func() {
		if abrupt {
			faults.RST(pp.client)
			faults.RST(pp.server)
		} else {
			_ = pp.client.Close()
			_ = pp.server.Close()
		}
		close(pp.closed)
	})
}

// Cut resets every proxied connection on both sides and returns once their
// relays have stopped. New connections are still accepted.
func (p *Proxy) Cut() { p.cutAll(true) }

// Freeze stops forwarding in both directions on every connection, current
// and future, while keeping the sockets open: a half-open path. Bytes a
// copier had already handed to the kernel still arrive.
func (p *Proxy) Freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.open: // thawed: install a gate that blocks
		p.open = make(chan struct{})
	default: // already frozen
	}
}

// Thaw resumes forwarding after Freeze, including the bytes held meanwhile.
func (p *Proxy) Thaw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.open:
	default:
		close(p.open)
	}
}

// Close stops listening, resets every connection and waits for all relays.
func (p *Proxy) Close() {
	p.closeOnce.Do(func() {
		p.mu.Lock()
		p.closed = true
		p.mu.Unlock()
		p.cancel()
		_ = p.ln.Close()
		p.Cut()
		p.wg.Wait()
	})
}
