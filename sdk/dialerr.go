package sdk

import (
	"errors"
	"fmt"
	"time"
)

// dialFailure types what a transport's dial returned: a *HandshakeError
// or *URLError stays as it is (both print safely); anything else (a
// network error, coder/websocket's or net/http's, whose text quotes the
// full URL) becomes a *DialError, which prints it redacted and unwraps to
// it. timedOut: the attempt outlived Options.DialTimeout.
func dialFailure(u string, err error, timedOut bool, limit time.Duration) error {
	var (
		he *HandshakeError
		ue *URLError
	)
	if errors.As(err, &he) || errors.As(err, &ue) {
		return err
	}
	if timedOut {
		// No redaction here: DialError prints err through redactText.
		err = fmt.Errorf("timed out after %v (Options.DialTimeout): %w", limit.Round(time.Millisecond), err)
	}
	return &DialError{URL: u, Err: err}
}

// connEndError types what ended an open connection: a *CloseError (a
// close frame, or 1006 with no frame) or ErrHeartbeatTimeout stays; any
// other failure (a write that failed on a broken socket) is a connection
// lost with no close frame, a *CloseError with code 1006 that unwraps to it.
func connEndError(err error) error {
	var ce *CloseError
	if err == nil || errors.As(err, &ce) || errors.Is(err, ErrHeartbeatTimeout) {
		return err
	}
	return &CloseError{Code: StatusAbnormalClosure, Err: err}
}
