//go:build js && wasm

// Command gowasm is the "Go program compiled to wasm that uses sdk
// directly" of bench/run.d/50-browser.sh. It stays running and serves
// globalThis.__goBench(args), one measurement per call, which returns a
// Promise of its result as JSON (it never exits: a Go program that exits
// leaves the runtime's timers and the sockets' callbacks to fail in JS):
//
//	[URL, "rtt",  SIZE, N]     → {"ms":[…N lone round trips, ms…]}
//	[URL, "tput", SIZE, N, W]  → {"ms": total, "n": N}  (W in flight)
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"syscall/js"
	"time"

	"github.com/redial-ws/redial/sdk"
)

func main() {
	js.Global().Set("__goBench", js.FuncOf(func(_ js.Value, argv []js.Value) any {
		args := make([]string, len(argv))
		for i, a := range argv {
			args[i] = a.String()
		}
		return js.Global().Get("Promise").New(js.FuncOf(func(_ js.Value, pr []js.Value) any {
			resolve := pr[0]
			go func() {
				out, err := run(args)
				if err != nil {
					out = map[string]any{"error": err.Error()}
				}
				b, _ := json.Marshal(out)
				resolve.Invoke(string(b))
			}()
			return nil
		}))
	}))
	select {}
}

func run(args []string) (map[string]any, error) {
	if len(args) < 4 {
		return nil, fmt.Errorf("usage: gowasm URL rtt|tput SIZE N [W]")
	}
	url, mode := args[0], args[1]
	size, err1 := strconv.Atoi(args[2])
	n, err2 := strconv.Atoi(args[3])
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("bad SIZE or N: %q %q", args[2], args[3])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := sdk.Dial(ctx, url, nil)
	if err != nil {
		return nil, err
	}
	defer c.Close(sdk.StatusNormalClosure, "")
	msg := make([]byte, size)
	for i := range msg {
		msg[i] = 'x'
	}
	switch mode {
	case "rtt":
		ms := make([]float64, 0, n)
		for range n {
			t0 := time.Now()
			if err := c.Write(ctx, sdk.MessageText, msg); err != nil {
				return nil, err
			}
			if _, _, err := c.Read(ctx); err != nil {
				return nil, err
			}
			ms = append(ms, float64(time.Since(t0).Microseconds())/1000)
		}
		return map[string]any{"ms": ms}, nil
	case "tput":
		w := 64
		if len(args) > 4 {
			if w, err = strconv.Atoi(args[4]); err != nil || w < 1 {
				return nil, fmt.Errorf("bad W: %q", args[4])
			}
		}
		// A writer at most w ahead of the reader: the same window the
		// JS clients keep.
		credit := make(chan struct{}, w)
		for range w {
			credit <- struct{}{}
		}
		werr := make(chan error, 1)
		t0 := time.Now()
		go func() {
			for range n {
				select {
				case <-credit:
				case <-ctx.Done():
					werr <- ctx.Err()
					return
				}
				if err := c.Write(ctx, sdk.MessageText, msg); err != nil {
					werr <- err
					return
				}
			}
			werr <- nil
		}()
		for range n {
			if _, _, err := c.Read(ctx); err != nil {
				return nil, err
			}
			credit <- struct{}{}
		}
		if err := <-werr; err != nil {
			return nil, err
		}
		return map[string]any{"ms": float64(time.Since(t0).Microseconds()) / 1000, "n": n}, nil
	}
	return nil, fmt.Errorf("unknown mode %q", mode)
}
