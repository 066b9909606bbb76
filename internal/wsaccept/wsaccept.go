// Package wsaccept computes Sec-WebSocket-Accept (RFC 6455 §4.2.2 item
// 5.4): the one place in the module that does. sdk.ComputeAccept (native
// only) is this function; every server here (internal/testserver,
// internal/rawws, internal/faults, demo/server) calls it directly, since
// internal/rawws is imported by sdk's own tests and so cannot import sdk.
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
