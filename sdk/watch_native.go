//go:build !js

package sdk

// A native process has no network or visibility events to bend retry waits
// with: the watch never wakes a wait early and never pauses one.
func newPlatformWatch(Logger) platformWatch { return noWatch{} }

type noWatch struct{}

func (noWatch) wake() <-chan struct{} { return nil }
func (noWatch) offline() bool         { return false }
func (noWatch) stop()                 {}
