package sdk

import "time"

// Internals the external tests (package sdk_test) check directly.

// CloseRetryable is closeRetryable: the default policy's verdict on a code.
var CloseRetryable = closeRetryable

// Ceiling is b's largest wait before retry number attempt.
func Ceiling(b Backoff, attempt int) time.Duration { return b.ceiling(attempt) }
