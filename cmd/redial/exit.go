package main

import (
	"context"
	"errors"
	"os"
	"syscall"

	"github.com/redial-ws/redial/sdk"
)

// Exit statuses; see the package comment.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitClosed      = 3
	exitHandshake   = 4
	exitRetries     = 5
	exitInterrupted = 130 // 128 + SIGINT
)

// signalCause is the cause main gives the context when a signal arrives.
type signalCause struct{ sig os.Signal }

func (s signalCause) Error() string { return "interrupted by " + s.sig.String() }

func (r *runner) interrupted(ctx context.Context) int {
	var sc signalCause
	if errors.As(context.Cause(ctx), &sc) {
		if s, ok := sc.sig.(syscall.Signal); ok {
			name := map[syscall.Signal]string{syscall.SIGINT: "SIGINT", syscall.SIGTERM: "SIGTERM"}[s]
			if name == "" {
				name = s.String()
			}
			r.say("interrupted (%s): %s", name, r.interruptedWhat())
			return 128 + int(s)
		}
	}
	r.say("interrupted: %s", r.interruptedWhat())
	return exitInterrupted
}

// interruptedWhat says what an interrupt ended: a close handshake only
// happens on a connection that was open.
func (r *runner) interruptedWhat() string {
	switch {
	case r.wasOpen:
		return "closed with 1000 normal closure"
	case r.conn == nil:
		return "before any connection opened"
	}
	return "while not connected (nothing to close)"
}

// report words the error that ended the connection and maps it to the
// exit status.
func (r *runner) report(err error) int {
	var (
		ce  *sdk.CloseError
		he  *sdk.HandshakeError
		ue  *sdk.URLError
		oe  *sdk.OptionError
		use *sdk.UnsentError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &use):
		r.say("%s", trim(use))
		return exitFailure
	case errors.Is(err, sdk.ErrRetriesExhausted):
		retries := "retries"
		if r.cfg.maxRetries == 1 {
			retries = "retry"
		}
		r.say("gave up after %d %s (-max-retries); last error: %s", r.cfg.maxRetries, retries, describe(budgetCause(err), r.cfg))
		return exitRetries
	case errors.As(err, &he):
		r.say("%s", describe(he, r.cfg))
		return exitHandshake
	case errors.As(err, &ue), errors.As(err, &oe):
		r.say("%s", trim(err))
		return exitUsage
	case errors.As(err, &ce):
		r.say("%s", trim(ce))
		if ce.Code == sdk.StatusNormalClosure || (ce.Local && r.userClosed.Load()) {
			return exitOK
		}
		return exitClosed
	}
	if r.conn != nil {
		r.say("connection lost for good: %s", describe(err, r.cfg))
	} else {
		r.say("cannot connect to %s: %s", sdk.RedactURL(r.cfg.url), describe(err, r.cfg))
	}
	return exitFailure
}

// budgetCause is the last failure inside the SDK's ErrRetriesExhausted
// error ("retry budget exhausted: N retries (Options.MaxRetries); last
// error: …", joined with %w twice), so the command words it once, in its
// own terms.
func budgetCause(err error) error {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if m, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range m.Unwrap() {
				if x != sdk.ErrRetriesExhausted {
					return x
				}
			}
		}
	}
	return err
}
