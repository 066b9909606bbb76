package sdk

import "errors"

// CloseStatus returns the close code of the *CloseError in err's chain
// (errors.As), or -1 when err is nil or holds none: a handshake refusal, a
// dial error, a context's end, ErrRetriesExhausted around a failed dial.
// It is github.com/coder/websocket's CloseStatus, so code written against
// that library keeps working. One difference: redial reports a connection
// lost with no close frame as a *CloseError with code 1006
// (StatusAbnormalClosure, RFC 6455 §7.1.5), where coder/websocket returns a
// plain network error (and so -1); and an exhausted retry budget whose last
// failure was a close returns that close's code.
func CloseStatus(err error) StatusCode {
	var ce *CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return -1
}
