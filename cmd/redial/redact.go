package main

import (
	"io"

	"github.com/redial-ws/redial/sdk"
)

// redactingWriter redacts every URL in what is written through it
// (sdk.RedactText). The flag package prints a bad flag's value in its
// error ("invalid value "wss://u:pw@h/?token=…" for flag -timeout") when
// the URL was taken as that value; flag writes each message in one Write.
type redactingWriter struct{ w io.Writer }

func (r redactingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(r.w, sdk.RedactText(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// closeReason is a close reason as the command prints it: redacted as
// sdk.CloseError.Error redacts it, so both print the same.
func closeReason(reason string) string { return sdk.RedactText(reason) }

// subprotocol is an agreed subprotocol as the command prints it: a token
// is often sent as one (browsers allow no Authorization header), so it is
// redacted as the Sec-WebSocket-Protocol header is (sdk.RedactHeader).
func subprotocol(p string) string { return sdk.RedactHeader("Sec-WebSocket-Protocol", p) }
