package sdk

// Handshake is the opening handshake of the current connection (RFC 6455
// §4), made visible. In the browser JS cannot see it: only URL, Protocols
// and Subprotocol are filled there.
type Handshake struct {
	// URL is the URL dialed, secrets and all; String, and every message
	// redial prints, show it through RedactURL.
	URL string
	// The request.
	Key       string   // Sec-WebSocket-Key
	Version   string   // Sec-WebSocket-Version, "13"
	Protocols []string // Sec-WebSocket-Protocol offered
	// RequestHeader is every header sent with the upgrade request.
	RequestHeader map[string][]string
	// The response.
	StatusCode     int // 101 Switching Protocols
	ResponseHeader map[string][]string
	Accept         string // Sec-WebSocket-Accept received
	// AcceptValid: Accept == ComputeAccept(Key). A connection is never
	// opened without it natively; the field is there so it can be shown.
	AcceptValid bool
	Subprotocol string // the protocol the server agreed to
}
