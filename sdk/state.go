package sdk

import "strconv"

// State is where a Conn is in its life.
//
//	StateConnecting → StateOpen ⇄ StateReconnecting → StateClosed
//
// StateConnecting covers the first attempt only; every later attempt, and the
// wait before it, is StateReconnecting.
type State int32

const (
	StateConnecting State = iota
	StateOpen
	StateReconnecting
	StateClosed
)

func (s State) String() string {
	switch s {
	case StateConnecting:
		return "connecting"
	case StateOpen:
		return "open"
	case StateReconnecting:
		return "reconnecting"
	case StateClosed:
		return "closed"
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}
