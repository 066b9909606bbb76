package main

import (
	"fmt"

	"github.com/redial-ws/redial/bench/internal/benchkit"
)

func report(n int, dir, name string, rs []result) error {
	o, err := benchkit.NewOut(dir, name)
	if err != nil {
		return err
	}
	by := map[string]result{}
	for _, r := range rs {
		by[r.name] = r
	}
	coder, red, gor := by["coder"], by["redial"], by["gorilla"]
	o.P("## Memory per idle connection (%d native connections)", n)
	o.P("")
	o.Command("bench/cmd/idlemem")
	o.P("Each client opens %d connections to a coder/websocket echo server on loopback and keeps", n)
	o.P("one goroutine reading each (what an app does to receive), then idles. Client and server")
	o.P("are two processes (the program runs itself again as the server), so the client figures")
	o.P("are the client's alone; the server's are below for reference. Heap is `HeapAlloc` after")
	o.P("two `runtime.GC()`s, minus the same before dialling, divided by %d; goroutines likewise,", n)
	o.P("the app's reading goroutine included. A fresh server process (so a fresh port) per client:")
	o.P("%d connections from 127.0.0.1 to one port fit in Linux's 28,232 ephemeral ports, and the", n)
	o.P("previous client's closed ones (in TIME_WAIT) are to another port. `RLIMIT_NOFILE` is raised")
	o.P("to its hard limit in both processes (`syscall.Setrlimit`).")
	o.P("")
	o.P("### Ratios (redial / raw coder/websocket)")
	o.P("")
	o.Table([]string{"per idle connection", "redial / coder", "gorilla / coder"}, [][]string{
		{"heap", benchkit.Ratio(red.heap, coder.heap), benchkit.Ratio(gor.heap, coder.heap)},
		{"goroutine stacks", benchkit.Ratio(red.stack, coder.stack), benchkit.Ratio(gor.stack, coder.stack)},
		{"heap + stacks", benchkit.Ratio(red.heap+red.stack, coder.heap+coder.stack), benchkit.Ratio(gor.heap+gor.stack, coder.heap+coder.stack)},
		{"goroutines", benchkit.Ratio(red.goroutines, coder.goroutines), benchkit.Ratio(gor.goroutines, coder.goroutines)},
	})
	o.P("### Raw figures, per connection")
	o.P("")
	var rows, csv [][]string
	for _, r := range rs {
		rows = append(rows, []string{r.name, benchkit.Bytes(r.heap), benchkit.Bytes(r.stack), fmt.Sprintf("%.2f", r.goroutines),
			benchkit.Bytes(r.sHeap), fmt.Sprintf("%.2f", r.sGoroutines), r.dialTime.Round(1e6).String()})
		csv = append(csv, []string{r.name, fmt.Sprint(n), fmt.Sprintf("%.0f", r.heap), fmt.Sprintf("%.0f", r.stack), fmt.Sprintf("%.3f", r.goroutines),
			fmt.Sprintf("%.0f", r.sHeap), fmt.Sprintf("%.0f", r.sStack), fmt.Sprintf("%.3f", r.sGoroutines), fmt.Sprintf("%.3f", r.dialTime.Seconds())})
	}
	o.Table([]string{"client", "heap", "stacks", "goroutines", "server heap", "server goroutines", fmt.Sprintf("time to dial %d", n)}, rows)
	if err := o.CSV("", []string{"client", "connections", "heap_bytes", "stack_bytes", "goroutines", "server_heap_bytes", "server_stack_bytes", "server_goroutines", "dial_seconds"}, csv); err != nil {
		return err
	}
	o.P("Reading it:")
	o.P("")
	o.P("- redial's goroutines per connection (%.2f vs coder's %.2f, the app's reader in both): the", red.goroutines, coder.goroutines)
	o.P("  app's reader and redial's supervisor, which reads the socket (`serve`/`readLoop`); the")
	o.P("  writer starts per burst of Writes and the heartbeat runs on a timer, so an idle connection")
	o.P("  parks neither. Its stack (%s per connection in all, vs %s) is most of the heap + stacks gap.", benchkit.Bytes(red.stack), benchkit.Bytes(coder.stack))
	o.P("- The heap gap (profile below) is what redial keeps per connection: the supervisor's")
	o.P("  goroutine descriptor (about 0.5 KB), the `Conn` (about 0.45 KB), the heartbeat (its state")
	o.P("  and timer, about 0.4 KB), the handshake kept for `Conn.Handshake` (packed: about 0.25 KB),")
	o.P("  the connection's context, send queue, event queue and transport (about 0.2 KB each). A")
	o.P("  connection that ever received a message also holds its 16-message incoming buffer (0.6 KB).")
	o.P("- The server side is the same coder/websocket server for every client; its share differs")
	o.P("  only by what each client sends while idle.")
	o.P("")
	o.Target("≤ 2 goroutines per idle native connection (the app's reader included)",
		fmt.Sprintf("%.2f (coder %.2f)", red.goroutines, coder.goroutines), red.goroutines <= 2.0001,
		"the app's reader and redial's supervisor (the socket's reader); writer and heartbeat park no goroutine while idle")
	o.Target("≤ 1.2× heap per idle connection vs coder/websocket",
		fmt.Sprintf("%s (%s vs %s)", benchkit.Ratio(red.heap, coder.heap), benchkit.Bytes(red.heap), benchkit.Bytes(coder.heap)),
		red.heap <= 1.2*coder.heap, "heap after GC, per connection; left over coder: the supervisor goroutine, the Conn, the heartbeat, the kept handshake (see the profile)")
	return o.Close()
}
