package main

import (
	"math/rand/v2"
	"sync"
	"time"
)

// timerLateness samples, until stop is called, how late a sleeping
// goroutine wakes on this machine at this moment: time.Sleep of a random
// 0–100 ms, minus what was asked. A backoff wait is such a sleep, so its
// lateness is part of any reconnect's time past its draw, whatever the
// library; stop returns the samples.
func timerLateness() (stop func() []time.Duration) {
	var (
		mu   sync.Mutex
		late []time.Duration
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	wg.Go(func() {
		for {
			d := rand.N(100 * time.Millisecond)
			t := time.Now()
			select {
			case <-done:
				return
			case <-time.After(d):
			}
			mu.Lock()
			late = append(late, time.Since(t)-d)
			mu.Unlock()
		}
	})
	return func() []time.Duration {
		close(done)
		wg.Wait()
		return late
	}
}
