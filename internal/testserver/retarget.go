package testserver

// Retarget sends the connections accepted from now on to target
// (host:port); open ones keep their server. With Cut it moves every client
// to another node: a load balancer that sent the reconnect elsewhere.
func (p *Proxy) Retarget(target string) {
	p.mu.Lock()
	p.target = target
	p.mu.Unlock()
}
