// Package wsaccept computes Sec-WebSocket-Accept (RFC 6455 §4.2.2 item
// 5.4): the one place outside the SDK that does. It imports nothing of the
// module, so every server in it (internal/testserver, internal/rawws,
// internal/faults, demo/server) can use it, and so could sdk natively:
// internal/rawws is imported by sdk's own tests, so it cannot import sdk.
package wsaccept

import (
	"crypto/sha1"
	"encoding/base64"
)

// GUID is RFC 6455 §1.3's constant, appended to the client's key before
// hashing to prove the server understood the upgrade.
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// Accept is the Sec-WebSocket-Accept a correct server answers to key:
// base64(SHA-1(key + GUID)), 28 characters for any key.
func Accept(key string) string {
	h := sha1.Sum([]byte(key + GUID))
	return base64.StdEncoding.EncodeToString(h[:])
}
