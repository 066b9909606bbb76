package main

import "github.com/redial-ws/redial/sdk"

// closeReason is a close reason as the command prints it: redacted as
// sdk.CloseError.Error redacts it, so both print the same.
func closeReason(reason string) string { return sdk.RedactText(reason) }

// subprotocol is an agreed subprotocol as the command prints it: a token
// is often sent as one (browsers allow no Authorization header), so it is
// redacted as the Sec-WebSocket-Protocol header is (sdk.RedactHeader).
func subprotocol(p string) string { return sdk.RedactHeader("Sec-WebSocket-Protocol", p) }
