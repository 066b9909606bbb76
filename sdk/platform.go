package sdk

// platformWatch lets a platform bend the retry waits: the browser pauses
// retries while offline and retries at once when the network returns or
// the page becomes visible again. Natively it does nothing.
type platformWatch interface {
	// wake is ready when a waiting retry should happen now.
	wake() <-chan struct{}
	// offline reports that dialing is pointless now.
	offline() bool
	stop()
}
