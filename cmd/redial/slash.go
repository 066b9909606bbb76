package main

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/redial-ws/redial/sdk"
)

// errUserClosed: the user typed /close and the Conn is closing.
var errUserClosed = errors.New("closed by /close")

// slashCommand runs one --slash line ("/ping x", "/close 4000 done"), as
// wscat's --slash does. It returns errUserClosed once /close was accepted
// (the SDK refuses a code or reason a client may not send, and then
// nothing is closed: the user may retype it).
func (r *runner) slashCommand(c *sdk.Conn, line string) error {
	name, arg, _ := strings.Cut(line[1:], " ")
	switch name {
	case "ping", "pong":
		op := byte(opPing)
		if name == "pong" {
			op = opPong
		}
		if len(arg) > 125 {
			r.say("/%s: DATA is %d bytes; a control frame carries at most 125 (RFC 6455 §5.5)", name, len(arg))
			return nil
		}
		if err := r.tap.send(op, []byte(arg)); err != nil {
			r.say("/%s: %v", name, err)
		}
		return nil
	case "close":
		code, reason := sdk.StatusNormalClosure, ""
		if arg = strings.TrimSpace(arg); arg != "" {
			cs, rs, _ := strings.Cut(arg, " ")
			n, err := strconv.Atoi(cs)
			if err != nil {
				r.say("/close: CODE %q is not a number; /close [CODE [REASON]]", cs)
				return nil
			}
			code, reason = sdk.StatusCode(n), strings.TrimSpace(rs)
		}
		r.userClosed.Store(true)
		err := c.Close(code, reason)
		if errors.Is(err, sdk.ErrInvalidCloseCode) || errors.Is(err, sdk.ErrInvalidCloseReason) {
			r.userClosed.Store(false)
			r.say("/close: %s", trim(err))
			return nil
		}
		r.userCloseErr = err
		return errUserClosed
	}
	r.say("unknown command %q: /ping [DATA], /pong [DATA], /close [CODE [REASON]]; //%s sends /%s", "/"+name, name, name)
	return nil
}

// execute is -x: send one message once connected, then print what
// arrives for -w (all of it: a slow reply is still shown), as wscat.
func (r *runner) execute(ctx context.Context, c *sdk.Conn) error {
	r.send(ctx, c, r.cfg.execute)
	if r.cfg.wait == 0 {
		return nil
	}
	t := time.NewTimer(r.cfg.wait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
	return nil
}
