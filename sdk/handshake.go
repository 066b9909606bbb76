package sdk

import "encoding/base64"

// websocketGUID is the fixed GUID of RFC 6455 §1.3 that the server appends
// to the client's key before hashing, proving it understood the upgrade.
const websocketGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// ComputeAccept is the Sec-WebSocket-Accept a server must answer to key:
// base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")).
func ComputeAccept(key string) string {
	h := sha1Sum([]byte(key + websocketGUID))
	return base64.StdEncoding.EncodeToString(h[:])
}

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

// clone copies h deeply, so no caller shares the Conn's maps.
func (h Handshake) clone() Handshake {
	h.Protocols = append([]string(nil), h.Protocols...)
	h.RequestHeader = cloneHeader(h.RequestHeader)
	h.ResponseHeader = cloneHeader(h.ResponseHeader)
	return h
}
