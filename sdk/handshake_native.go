//go:build !js

package sdk

import "github.com/redial-ws/redial/internal/wsaccept"

// ComputeAccept is the Sec-WebSocket-Accept a server must answer to key:
// base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")), RFC 6455
// §4.2.2. Native only: a page never sees the key nor the accept value, and
// crypto/sha1 adds 56 KB gzipped to the browser build (measured with Go
// 1.26.8, gzip -9 of redial.wasm); natively net/http's TLS links it anyway.
func ComputeAccept(key string) string { return wsaccept.Accept(key) }
