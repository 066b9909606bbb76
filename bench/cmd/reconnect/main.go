// Command reconnect is make bench's piece 20: how long a native client
// takes to be back after a fault, redial (default policy, and
// Backoff.Initial at its 1 ms floor) against recws at its defaults:
// trials of two faults, a server drop (1006) and the listener down
// 500 ms, and a herd of clients dropped at once.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/redial-ws/redial/sdk"
)

// fault is one way the server goes away; inflict returns when it began
// and when the server was reachable again.
type fault struct {
	name, label string
	inflict     func(s *faultServer) (began, back time.Time, err error)
}

var faults = []fault{
	{"drop", "server drop (CloseNow: 1006)", func(s *faultServer) (time.Time, time.Time, error) {
		t := time.Now()
		s.drop()
		return t, t, nil
	}},
	{"down500", "listener down 500 ms", func(s *faultServer) (time.Time, time.Time, error) {
		t := time.Now()
		s.down()
		time.Sleep(500 * time.Millisecond)
		err := s.up()
		return t, time.Now(), err
	}},
}

// trial is one fault survived: times from the fault's start.
type trial struct {
	open, msg time.Duration // client open again; first message read after it
	afterBack time.Duration // open, counted from the listener's return
	draw      time.Duration // the first backoff wait drawn (redial only)
	draws     time.Duration // every wait drawn before the open (redial only)
	attempts  int           // retries before the open (redial only)
}

const waitFor = 30 * time.Second

func recv[T any](ch <-chan T, what string) (T, error) {
	select {
	case v := <-ch:
		return v, nil
	case <-time.After(waitFor):
		var zero T
		return zero, fmt.Errorf("no %s within %v", what, waitFor)
	}
}

func drain(p *probe) {
	for {
		select {
		case <-p.delays:
		case <-p.opens:
		case <-p.msgs:
		default:
			return
		}
	}
}

// ready waits for a fresh client's first open and greeting.
func ready(p *probe) error {
	if _, err := recv(p.opens, "first open"); err != nil {
		return err
	}
	_, err := recv(p.msgs, "greeting")
	return err
}

// survive inflicts f on s and times p's way back.
func survive(p *probe, s *faultServer, f fault) (trial, error) {
	// Workers run side by side; a random pause keeps their faults (and
	// so their reconnects) from falling in step, which would measure
	// reconnects under a burst of others' handshakes.
	time.Sleep(rand.N(100 * time.Millisecond))
	drain(p)
	began, back, err := f.inflict(s)
	if err != nil {
		return trial{}, err
	}
	opened, err := recv(p.opens, "open after the fault")
	if err != nil {
		return trial{}, err
	}
	t := trial{open: opened.Sub(began), afterBack: opened.Sub(back)}
	for first := true; ; first = false {
		select {
		case d := <-p.delays:
			if first {
				t.draw = d
			}
			t.draws += d
			t.attempts++
			continue
		default:
		}
		break
	}
	got, err := recv(p.msgs, "message after the open")
	if err != nil {
		return trial{}, err
	}
	t.msg = got.Sub(began)
	return t, nil
}

// runTrials runs n trials of f on workers goroutines, each with its own
// server (so one worker's listener going down is no one else's fault).
func runTrials(ct contender, f fault, n, workers int) ([]trial, error) {
	var (
		mu   sync.Mutex
		ts   []trial
		errs []error
		wg   sync.WaitGroup
	)
	for w := range workers {
		share := n/workers + btoi(w < n%workers)
		wg.Go(func() {
			got, err := worker(ct, f, share)
			mu.Lock()
			defer mu.Unlock()
			ts = append(ts, got...)
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	return ts, errors.Join(errs...)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func worker(ct contender, f fault, n int) ([]trial, error) {
	s, err := newFaultServer()
	if err != nil {
		return nil, err
	}
	defer s.down()
	var ts []trial
	var p *probe
	for range n {
		if p == nil {
			if p, err = ct.dial(s.url()); err != nil {
				return ts, err
			}
			if err := ready(p); err != nil {
				p.stop()
				return ts, err
			}
		}
		t, err := survive(p, s, f)
		if err != nil {
			p.stop()
			return ts, fmt.Errorf("%s, %s: %w", ct.name, f.name, err)
		}
		ts = append(ts, t)
		if !ct.reuse {
			p.stop()
			p = nil
		}
	}
	if p != nil {
		p.stop()
	}
	return ts, nil
}

// herd dials n clients to one server, drops them all at once and returns
// each one's time back (open), from the drop, and (redial) the retries
// each one scheduled before it.
func herd(ct contender, n int) ([]time.Duration, []int, error) {
	s, err := newFaultServer()
	if err != nil {
		return nil, nil, err
	}
	defer s.down()
	ps := make([]*probe, n)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			p, err := ct.dial(s.url())
			if err == nil {
				err = ready(p)
			}
			ps[i], errs[i] = p, err
		})
	}
	wg.Wait()
	defer func() {
		for _, p := range ps {
			if p != nil {
				p.stop()
			}
		}
	}()
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	began := time.Now()
	s.drop()
	ds, retries := make([]time.Duration, n), make([]int, n)
	for i, p := range ps {
		t, err := recv(p.opens, "open after the herd drop")
		if err != nil {
			return nil, nil, err
		}
		ds[i] = t.Sub(began)
		retries[i] = len(p.delays)
	}
	return ds, retries, nil
}

// handshakes times n fresh coder/websocket dials: what one reconnect costs
// on this loopback past its wait (TCP handshake + HTTP upgrade).
func handshakes(n int) ([]time.Duration, error) {
	s, err := newFaultServer()
	if err != nil {
		return nil, err
	}
	defer s.down()
	var ds []time.Duration
	for range n {
		t := time.Now()
		c, _, err := websocket.Dial(context.Background(), s.url(), nil)
		if err != nil {
			return nil, err
		}
		ds = append(ds, time.Since(t))
		c.CloseNow()
	}
	return ds, nil
}

func contenders() []contender {
	return []contender{
		redialContender("redial", sdk.Backoff{}),
		redialContender("redial Initial 1ms", sdk.Backoff{Initial: sdk.MinBackoffDelay}),
		recwsContender,
	}
}

// trialContenders are contenders() and the floor.
func trialContenders() []contender { return append(contenders(), floorContender) }

func main() {
	n := flag.Int("trials", 200, "trials per fault and client")
	workers := flag.Int("workers", 25, "trials run side by side, each worker with its own server")
	herdN := flag.Int("herd", 200, "clients dropped at once")
	dir := flag.String("out", "bench/out", "output directory")
	name := flag.String("name", "20-reconnect", "piece name (output file prefix)")
	flag.Parse()
	if err := run(*n, *workers, *herdN, *dir, *name); err != nil {
		fmt.Fprintln(os.Stderr, "reconnect:", err)
		os.Exit(1)
	}
}

type result struct {
	client, fault string
	trials        []trial
}

type herdResult struct {
	client  string
	back    []time.Duration
	retries []int
}

func run(n, workers, herdN int, dir, name string) error {
	hs, err := handshakes(100)
	if err != nil {
		return err
	}
	stopSampling := timerLateness()
	var rs []result
	for _, f := range faults {
		for _, ct := range trialContenders() {
			start := time.Now()
			ts, err := runTrials(ct, f, n, workers)
			if err != nil {
				return err
			}
			fmt.Printf("%s, %s: %d trials in %v\n", f.name, ct.name, len(ts), time.Since(start).Round(time.Millisecond))
			rs = append(rs, result{ct.name, f.name, ts})
		}
	}
	var hr []herdResult
	for _, ct := range contenders() {
		start := time.Now()
		back, retries, err := herd(ct, herdN)
		if err != nil {
			return err
		}
		fmt.Printf("herd of %d, %s: in %v\n", herdN, ct.name, time.Since(start).Round(time.Millisecond))
		hr = append(hr, herdResult{ct.name, back, retries})
	}
	return report(dir, name, n, workers, herdN, hs, stopSampling(), rs, hr)
}
