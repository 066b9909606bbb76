// Package jsstream holds the SDK's WebSocketStream adapter (jsstream.js), a
// JS class that puts a WebSocketStream behind the members of WebSocket the
// browser transport uses, with read credit (more) for backpressure. Here,
// not in sdk, so that the browser conformance suite can install the same
// class as globalThis.WebSocket and run every scenario over it.
package jsstream

import _ "embed"

// Source is jsstream.js: a plain script that declares the function
// redialStreamAdapter, which returns the adapter's constructor,
// new (url, protocols).
//
//go:embed jsstream.js
var Source string

// Expr is a JS expression (for new Function's body: "return " + Expr)
// whose value is the adapter's constructor.
const Expr = "redialStreamAdapter()"
