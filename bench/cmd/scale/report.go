package main

import (
	"fmt"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/redial-ws/redial/bench/internal/benchkit"
)

func report(dir, name string, d time.Duration, size int, ps []point) error {
	o, err := benchkit.NewOut(dir, name)
	if err != nil {
		return err
	}
	o.P("## Scale: 1 to 1,000 concurrent native clients")
	o.P("")
	o.Command("bench/cmd/scale")
	o.P("Each client echoes %d-byte binary messages one at a time (write, read the echo) for %v", size, d)
	o.P("through one coder/websocket echo server in another process on loopback; all clients run")
	o.P("together. Messages/s counts round trips in all; RTT is per round trip, over every client;")
	o.P("heap is the client process's `HeapAlloc` after GC, taken after a 300 ms untimed warm-up with")
	o.P("every client connected (before the timed run), minus the same before dialling, per client;")
	o.P("goroutines likewise, in all. Client and server share the machine's 2 cores.")
	o.P("")
	type pair struct{ coder, redial point }
	var pairs []pair
	byN := map[int]*pair{}
	for _, p := range ps {
		pp := byN[p.clients]
		if pp == nil {
			pairs = append(pairs, pair{})
			pp = &pairs[len(pairs)-1]
			byN[p.clients] = pp
		}
		switch p.client {
		case "coder":
			pp.coder = p
		case "redial":
			pp.redial = p
		}
	}
	o.P("### Ratios (redial / raw coder/websocket)")
	o.P("")
	var rows [][]string
	for _, pp := range pairs {
		rows = append(rows, []string{fmt.Sprint(pp.coder.clients),
			benchkit.Ratio(pp.redial.rate(), pp.coder.rate()),
			benchkit.Ratio(float64(pp.redial.p50), float64(pp.coder.p50)),
			benchkit.Ratio(float64(pp.redial.p99), float64(pp.coder.p99)),
			benchkit.Ratio(pp.redial.heap, pp.coder.heap)})
	}
	o.Table([]string{"clients", "messages/s", "RTT p50", "RTT p99", "heap per client"}, rows)
	o.P("### Raw figures")
	o.P("")
	rows = nil
	var csv [][]string
	for _, p := range ps {
		rows = append(rows, []string{fmt.Sprint(p.clients), p.client, fmt.Sprintf("%.0f", p.rate()),
			benchkit.Ms(p.p50), benchkit.Ms(p.p99), benchkit.Bytes(p.heap), fmt.Sprint(p.goroutines)})
		csv = append(csv, []string{fmt.Sprint(p.clients), p.client, fmt.Sprint(p.msgs), fmt.Sprintf("%.3f", p.dur.Seconds()),
			fmt.Sprintf("%.1f", p.rate()), fmt.Sprintf("%.3f", float64(p.p50)/1e6), fmt.Sprintf("%.3f", float64(p.p99)/1e6),
			fmt.Sprintf("%.0f", p.heap), fmt.Sprint(p.goroutines)})
	}
	o.Table([]string{"clients", "client", "messages/s", "RTT p50", "RTT p99", "heap per client", "goroutines"}, rows)
	if err := o.CSV("", []string{"clients", "client", "round_trips", "seconds", "msgs_per_s", "rtt_p50_ms", "rtt_p99_ms", "heap_bytes_per_client", "goroutines"}, csv); err != nil {
		return err
	}
	if err := scalePlot(o.Path(".svg"), ps); err != nil {
		return err
	}
	o.P("![throughput and p99 RTT against concurrent clients](%s.svg)", name)
	o.P("")
	o.P("Reading it:")
	o.P("")
	o.P("- With one client the round trip is latency-bound, and redial's two goroutine hand-offs")
	o.P("  per message (its writer, its reader) show in the RTT. With many clients both saturate the")
	o.P("  same 2 cores, which the server shares; the ratio then is the CPU each message costs.")
	o.P("- Heap per client is after traffic, so it holds the buffers a connection keeps once it has")
	o.P("  carried messages; piece 30 has the idle cost. Goroutines are counted between runs (the")
	o.P("  echo loops ended): coder keeps none of its own, redial its per-connection ones (piece 30).")
	o.P("")
	return o.Close()
}

// scalePlot draws messages/s and p99 RTT against clients (log x), one
// line per contender.
func scalePlot(path string, ps []point) error {
	rate, rtt := plot.New(), plot.New()
	rate.Title.Text = "Round trips per second, all clients (1 KiB echo)"
	rate.Y.Label.Text = "messages/s"
	rate.Y.Min = 0
	rtt.Title.Text = "RTT p99"
	rtt.Y.Label.Text = "ms (log)"
	rtt.Y.Scale = plot.LogScale{}
	rtt.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	for _, p := range []*plot.Plot{rate, rtt} {
		p.X.Label.Text = "concurrent clients (log)"
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
		p.Legend.Top = true
	}
	rate.Legend.Left = true
	for _, name := range []string{"coder", "redial"} {
		var xr, xl plotter.XYs
		for _, p := range ps {
			if p.client == name {
				xr = append(xr, plotter.XY{X: float64(p.clients), Y: p.rate()})
				xl = append(xl, plotter.XY{X: float64(p.clients), Y: float64(p.p99) / 1e6})
			}
		}
		for _, s := range []struct {
			p  *plot.Plot
			xy plotter.XYs
		}{{rate, xr}, {rtt, xl}} {
			l, pts, err := plotter.NewLinePoints(s.xy)
			if err != nil {
				return err
			}
			l.Color, pts.Color = benchkit.Colors[name], benchkit.Colors[name]
			s.p.Add(l, pts)
			s.p.Legend.Add(name, l, pts)
		}
	}
	return benchkit.SaveColumn(path, 16*vg.Centimeter, 7*vg.Centimeter, rate, rtt)
}
