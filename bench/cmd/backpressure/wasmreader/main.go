//go:build js

// Command wasmreader is the Go-in-wasm consumer of 60-backpressure: a page
// runs it with the flood URL in globalThis.floodURL and the transport in
// globalThis.floodStream (true: sdk.Options.WebSocketStream); it Reads one
// message each 10 ms (100 msg/s) and counts them in globalThis.handled.
package main

import (
	"context"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/redial-ws/redial/sdk"
)

func main() {
	g := safejs.Global()
	u, _ := g.Get("floodURL")
	url, _ := u.String()
	s, _ := g.Get("floodStream")
	stream, _ := s.Bool()
	ctx := context.Background()
	c, err := sdk.Dial(ctx, url, &sdk.Options{WebSocketStream: stream, NoHeartbeat: true})
	if err != nil {
		_ = g.Set("floodError", err.Error())
		return
	}
	_ = g.Set("handled", 0)
	for n := 1; ; n++ {
		if _, _, err := c.Read(ctx); err != nil {
			_ = g.Set("floodError", err.Error())
			return
		}
		_ = g.Set("handled", n)
		time.Sleep(10 * time.Millisecond)
	}
}
