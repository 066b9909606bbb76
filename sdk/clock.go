package sdk

import "time"

// Clock is the SDK's only source of time: the supervisor's backoff waits,
// the heartbeat ticks and the 5 s stability check all go through it, so a
// test can inject a fake clock and run a retry schedule in milliseconds.
// Dial and close timeouts stay on real time: they guard real sockets.
type Clock interface {
	Now() time.Time
	NewTimer(d time.Duration) Timer
}

// Timer is the part of *time.Timer the SDK uses.
type Timer interface {
	C() <-chan time.Time
	Stop() bool
}

type realClock struct{}

func (realClock) Now() time.Time                 { return time.Now() }
func (realClock) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

type realTimer struct{ t *time.Timer }

func (t realTimer) C() <-chan time.Time { return t.t.C }
func (t realTimer) Stop() bool          { return t.t.Stop() }
