package sdk

import "strconv"

// MessageType is the type of a WebSocket data message.
type MessageType int

// The two data message types of RFC 6455. The values match coder/websocket.
const (
	MessageText   MessageType = 1
	MessageBinary MessageType = 2
)

func (t MessageType) String() string {
	switch t {
	case MessageText:
		return "text"
	case MessageBinary:
		return "binary"
	}
	return "MessageType(" + strconv.Itoa(int(t)) + ")"
}
