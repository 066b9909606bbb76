package sdk

import "time"

// wrapError is fmt.Errorf's %w without fmt: the SDK builds its error text
// by hand because fmt brings reflect and os into the browser build, over a
// hundred kilobytes gzipped. errors.Is and errors.As see every wrapped error.
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
