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
			r.say("interrupted (%s): closed with 1000 normal closure", name)
			return 128 + int(s)
		}
	}
	r.say("interrupted: closed with 1000 normal closure")
	return exitInterrupted
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
		r.say("gave up after %d %s (-max-retries); last error: %s", r.cfg.maxRetries, retries, describe(err, r.cfg))
		return exitRetries
	case errors.As(err, &he):
		r.say("%s", describe(he, r.cfg))
		return exitHandshake
	case errors.As(err, &ue), errors.As(err, &oe):
		r.say("%s", trim(err))
		return exitUsage
	case errors.As(err, &ce):
		r.say("%s", trim(ce))
		if ce.Code == sdk.StatusNormalClosure {
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
