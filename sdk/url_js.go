//go:build js

package sdk

import "github.com/hack-pad/safejs"

// parseURL is the browser's verdict on u, from its URL class (the WHATWG
// URL parser, the one its WebSocket constructor uses): "" when u parses.
// net/url adds 40 KB gzipped to the browser build (measured with Go
// 1.26.8, gzip -9 of redial.wasm) for a parser the page already has. Where there is no URL class,
// the WebSocket constructor still refuses what it cannot parse.
func parseURL(u string) string {
	ctor, err := safejs.Global().Get("URL")
	if err != nil || ctor.IsUndefined() {
		return ""
	}
	if _, err := ctor.New(u); err != nil {
		return "the browser refused it: " + err.Error()
	}
	return ""
}
