package redisstore

import (
	"errors"
	"strings"

	"github.com/redial-ws/redial/server"
	"github.com/redis/go-redis/v9"
)

// Errors a Store returns besides server.ErrSessionNotFound,
// server.ErrSessionMoved, server.ErrReplayTrimmed and go-redis's own
// (connection refused, timeouts: the server wraps them in server.ErrStore
// and answers 4013).
var (
	// ErrFull: an Append would hold more than Options.MaxFrames
	// unacknowledged frames (Options.MaxFrames < server.Options.MaxUnacked).
	ErrFull = errors.New("redial/redisstore: more unacknowledged frames than Options.MaxFrames")
	// ErrSeqOrder: an Append whose seq is not the session's next.
	ErrSeqOrder = errors.New("redial/redisstore: frame appended out of seq order")
	// ErrCollision: Create with an id that exists.
	ErrCollision = errors.New("redial/redisstore: session id collision")
)

// mapErr turns the scripts' REDIAL_ error replies into sentinels.
func mapErr(err error) error {
	var re redis.Error
	if err == nil || !errors.As(err, &re) {
		return err
	}
	// Redis prefixes a script's error reply with "ERR ".
	msg := strings.TrimPrefix(re.Error(), "ERR ")
	switch {
	case strings.HasPrefix(msg, "REDIAL_NOTFOUND"):
		return server.ErrSessionNotFound
	case strings.HasPrefix(msg, "REDIAL_MOVED"):
		return server.ErrSessionMoved
	case strings.HasPrefix(msg, "REDIAL_TRIMMED"):
		return server.ErrReplayTrimmed
	case strings.HasPrefix(msg, "REDIAL_FULL"):
		return ErrFull
	case strings.HasPrefix(msg, "REDIAL_ORDER"):
		return ErrSeqOrder
	case strings.HasPrefix(msg, "REDIAL_COLLISION"):
		return ErrCollision
	}
	return err
}
