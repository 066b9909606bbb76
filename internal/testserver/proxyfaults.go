package testserver

import "time"

// CutFIN closes every proxied connection on both sides with a FIN (an
// orderly TCP close with no WebSocket close frame: what a process exit or
// a load balancer's idle timeout looks like), and returns once their
// relays have stopped. New connections are still accepted.
func (p *Proxy) CutFIN() { p.cutAll(false) }

// cutAll closes every proxied connection (abrupt: RST, else FIN) and
// waits for their relays.
func (p *Proxy) cutAll(abrupt bool) {
	p.mu.Lock()
	victims := make([]*pipe, 0, len(p.pipes))
	for pp := range p.pipes {
		victims = append(victims, pp)
	}
	p.mu.Unlock()
	for _, pp := range victims {
		pp.close(abrupt)
	}
	for _, pp := range victims {
		<-pp.done
	}
}

// SetDelay makes the proxy wait d before forwarding each chunk it reads,
// in both directions (0: none): a slow path. Order is kept.
func (p *Proxy) SetDelay(d time.Duration) {
	p.mu.Lock()
	p.delay = d
	p.mu.Unlock()
}

// sleep waits d, or returns false when the pipe closed meanwhile.
func (pp *pipe) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-pp.closed:
		return false
	}
}
