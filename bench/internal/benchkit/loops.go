package benchkit

import (
	"errors"
	"sync"
)

// Parallel runs f(i) for every i in [0, n), at most workers at a time,
// and returns every error joined.
func Parallel(n, workers int, f func(i int) error) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, workers)
	)
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := f(i); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// ReadLoop starts the goroutine an app keeps reading a connection with:
// read until it fails, calling got after each message (got may be nil).
func ReadLoop(read func() error, got func()) {
	go func() {
		for read() == nil {
			if got != nil {
				got()
			}
		}
	}()
}
