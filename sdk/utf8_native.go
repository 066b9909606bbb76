//go:build !js

package sdk

import (
	"errors"
	"strconv"
)

// invalidUTF8Reason is the reason of the close frame sent, and of the
// CloseError reported, when a text message is not UTF-8.
const invalidUTF8Reason = "text message is not valid UTF-8"

// failInvalidText fails the connection over a text message that is not
// valid UTF-8, as RFC 6455 §8.1 requires ("When an endpoint is to
// interpret a byte stream as UTF-8 but finds that the byte stream is not,
// in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket
// Connection_"), with close code 1007 (§7.4.1), and reports that local
// close. The message is never handed to the app, as in a browser, whose
// WebSocket fails the connection the same way. coder/websocket v1.8.15
// does not check text messages, so the native transport does, on the
// whole message (a character may span fragments): only a message read
// whole reaches this check, so a message cut short by the stream's end
// (eofGuard) or over Options.ReadLimit (1009) fails before it.
//
// The close handshake is bounded like the app's Close
// (closeHandshakeTimeout); DefaultPolicy makes a local close final, as a
// server that sends bad text would send it again.
func (t *nativeTransport) failInvalidText(p []byte) error {
	closeTransport(t, closeRequest{code: StatusInvalidFramePayloadData, reason: invalidUTF8Reason})
	return &CloseError{Code: StatusInvalidFramePayloadData, Reason: invalidUTF8Reason, Local: true,
		Err: errors.New("invalid UTF-8 at byte " + strconv.Itoa(invalidUTF8At(string(p))) + " of a " + strconv.Itoa(len(p)) + "-byte text message")}
}
