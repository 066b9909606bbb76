package sdk

import (
	"strconv"
	"time"
)

// The hand-made error helpers of this file are on their way out (issue 9
// item 5): new code uses fmt.Errorf("…: %w") (see errors.go for its cost).
// What still calls them is conn.go and supervisor.go (wrap, itoa, dur,
// errText) and options.go (dur); delete this file with their last call.

// wrapError is fmt.Errorf's %w, from before fmt was known to be free.
type wrapError struct {
	msg  string
	errs []error
}

func (e *wrapError) Error() string   { return e.msg }
func (e *wrapError) Unwrap() []error { return e.errs }

// wrap returns an error worded msg that wraps errs (nil ones skipped).
// Any URL in msg is redacted (redactText): msg is often built from a lower
// layer's error text.
func wrap(msg string, errs ...error) error {
	kept := errs[:0:0]
	for _, err := range errs {
		if err != nil {
			kept = append(kept, err)
		}
	}
	return &wrapError{msg: redactText(msg), errs: kept}
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func dur(d time.Duration) string { return d.Round(time.Millisecond).String() }

func itoa(i int) string { return strconv.Itoa(i) }
