package main

import (
	"fmt"
	"slices"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/redial-ws/redial/bench/internal/benchkit"
)

var pct = benchkit.Percentile

func col(ts []trial, f func(trial) time.Duration) []time.Duration {
	ds := make([]time.Duration, len(ts))
	for i, t := range ts {
		ds[i] = f(t)
	}
	return ds
}

// spread words p50 / p90 / p99 of ds.
func spread(ds []time.Duration) string {
	return fmt.Sprintf("%s / %s / %s", benchkit.Ms(pct(ds, 50)), benchkit.Ms(pct(ds, 90)), benchkit.Ms(pct(ds, 99)))
}

// peakWindow is the most of ds that fall within any window w.
func peakWindow(ds []time.Duration, w time.Duration) int {
	s := slices.Clone(ds)
	slices.Sort(s)
	best, j := 0, 0
	for i := range s {
		for s[i]-s[j] > w {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

const herdWindow = 50 * time.Millisecond

func report(dir, name string, n, workers, herdN int, hs, late []time.Duration, rs []result, hr []herdResult) error {
	o, err := benchkit.NewOut(dir, name)
	if err != nil {
		return err
	}
	get := func(client, f string) []trial {
		for _, r := range rs {
			if r.client == client && r.fault == f {
				return r.trials
			}
		}
		return nil
	}
	open := func(t trial) time.Duration { return t.open }
	msg := func(t trial) time.Duration { return t.msg }
	hs50 := pct(hs, 50)

	o.P("## Reconnect latency (native)")
	o.P("")
	o.Command("bench/cmd/reconnect")
	o.P("%d trials per fault and client, %d at a time (each after a random 0–100 ms pause, so they do not fall in step), each worker with its own coder/websocket", n, workers)
	o.P("server on loopback that greets every connection with one message. Faults: **drop**, the")
	o.P("server closes every connection abruptly (`CloseNow`: FIN, no close frame; 1006 at the")
	o.P("client); **down 500 ms**, the listener closes and every connection drops, then the same")
	o.P("port listens again 500 ms later. Times run from the fault to the client's open (redial:")
	o.P("`OnStateChange` to `StateOpen`; recws: its `SubscribeHandler`) and to the greeting read by")
	o.P("the app. redial runs its default policy (full jitter: the first wait is uniform in [0, 1 s))")
	o.P("and `Backoff{Initial: 1 ms}`: `Initial: 0` means the default in redial's API, so 1 ms, its")
	o.P("floor (`MinBackoffDelay`), is the closest to \"retry at once\". A fresh redial `Conn` per")
	o.P("trial (its attempt count resets only after `StableAfter`, 5 s, of uptime); one recws")
	o.P("client per worker, reused (its `Dial` sleeps 2 s; its backoff restarts with every")
	o.P("reconnect). recws at its defaults: 2 s initial, ×1.5, 30 s max, jittered; it redials at once")
	o.P("after a drop and waits only after a failed dial. Its reader polls every 1 ms while it is down")
	o.P("(`ReadMessage` returns `ErrNotConnected` at once then). One fresh handshake (TCP +")
	o.P("upgrade, coder/websocket `Dial`) on this loopback takes %s (p50 of 100, unloaded). The", benchkit.Ms(hs50))
	o.P("**floor** is a raw coder/websocket client the app redials by hand, at once and then every")
	o.P("1 ms: what any reconnect costs past its wait (noticing the drop, one handshake) under the")
	o.P("same faults and load. Meanwhile a sampler sleeps random 0–100 ms waits: the machine woke")
	o.P("them %s late (p50; p99 %s, %d samples), a delay any backoff wait pays.", benchkit.Ms(pct(late, 50)), benchkit.Ms(pct(late, 99)), len(late))
	o.P("")

	o.P("### Ratios (p50, redial / recws)")
	o.P("")
	var ratioRows [][]string
	for _, f := range faults {
		for _, m := range []struct {
			what string
			f    func(trial) time.Duration
		}{{"open again", open}, {"first message", msg}} {
			row := []string{f.label, m.what}
			rec := pct(col(get("recws", f.name), m.f), 50)
			for _, c := range []string{"redial", "redial Initial 1ms"} {
				v := pct(col(get(c, f.name), m.f), 50)
				row = append(row, fmt.Sprintf("%s (%s vs %s)", benchkit.Ratio(float64(v), float64(rec)), benchkit.Ms(v), benchkit.Ms(rec)))
			}
			row = append(row, benchkit.Ms(pct(col(get(floorName, f.name), m.f), 50)))
			ratioRows = append(ratioRows, row)
		}
	}
	o.Table([]string{"fault", "time to", "redial default / recws", "redial Initial 1 ms / recws", "floor"}, ratioRows)

	o.P("### Raw figures: p50 / p90 / p99")
	o.P("")
	var rows, csv [][]string
	for _, r := range rs {
		ts := r.trials
		excess := col(ts, func(t trial) time.Duration { return t.open - t.draws })
		row := []string{r.fault, r.client, fmt.Sprint(len(ts)), spread(col(ts, open)), spread(col(ts, msg))}
		if r.fault == "down500" {
			row = append(row, spread(col(ts, func(t trial) time.Duration { return t.afterBack })))
		} else {
			row = append(row, "")
		}
		if r.client == "recws" || r.client == floorName {
			row = append(row, "not reported", "")
		} else {
			row = append(row, spread(col(ts, func(t trial) time.Duration { return t.draws })), spread(excess))
		}
		rows = append(rows, row)
		for i, t := range ts {
			csv = append(csv, []string{r.fault, r.client, fmt.Sprint(i), msf(t.open), msf(t.msg), msf(t.afterBack), msf(t.draw), msf(t.draws), fmt.Sprint(t.attempts)})
		}
	}
	o.Table([]string{"fault", "client", "trials", "open again", "first message", "open, from the listener's return", "backoff drawn (sum)", "open − backoff drawn"}, rows)
	if err := o.CSV("", []string{"fault", "client", "trial", "open_ms", "first_message_ms", "open_after_back_ms", "first_draw_ms", "draws_ms", "retries"}, csv); err != nil {
		return err
	}

	o.P("### Herd: %d clients dropped at once", herdN)
	o.P("")
	o.P("One server, %d clients of one kind, every connection dropped in the same instant; each", herdN)
	o.P("client's time back (open) from the drop. \"Peak\" is the most clients back within any %v.", herdWindow)
	o.P("")
	var hrows, hcsv [][]string
	for _, h := range hr {
		pk := peakWindow(h.back, herdWindow)
		hrows = append(hrows, []string{h.client, spread(h.back), benchkit.Ms(slices.Max(h.back)),
			fmt.Sprintf("%d (%.0f %%)", pk, 100*float64(pk)/float64(len(h.back))), retriesWord(h)})
		for i, d := range h.back {
			hcsv = append(hcsv, []string{h.client, fmt.Sprint(i), msf(d), fmt.Sprint(h.retries[i])})
		}
	}
	o.Table([]string{"client", "back p50 / p90 / p99", "last back", fmt.Sprintf("peak within %v", herdWindow), "retries per client (max)"}, hrows)
	if err := o.CSV("-herd", []string{"client", "i", "open_ms", "retries"}, hcsv); err != nil {
		return err
	}
	if err := herdPlot(o.Path("-herd.svg"), herdN, hr); err != nil {
		return err
	}
	o.P("![herd histogram](%s)", name+"-herd.svg")
	o.P("")

	def := get("redial", "drop")
	exc := pct(col(def, func(t trial) time.Duration { return t.open - t.draws }), 50)
	floor := pct(col(get(floorName, "drop"), open), 50)
	o.P("Reading it:")
	o.P("")
	o.P("- After a drop, redial's time back is its backoff draw plus what any reconnect costs:")
	o.P("  the p50 of open − draw is %s against the floor's %s (noticing the drop + one handshake,", benchkit.Ms(exc), benchkit.Ms(floor))
	o.P("  same load; an unloaded handshake alone: %s); the rest is the wait's wake-up (the timer", benchkit.Ms(hs50))
	o.P("  lateness above) and redial's hand-offs (reader → supervisor → dial → open event).")
	o.P("- At the default the draw is uniform in [0, 1 s), so the p50 is ≈ 0.5 s: recws redials at")
	o.P("  once after a drop (no wait), hence far faster there, and spends its 2 s minimum after any")
	o.P("  failed dial, hence slower when the listener is down. `Initial: 1 ms` comes back within")
	o.P("  milliseconds after a drop and before recws when the listener is down, at the price of a herd.")
	o.P("- The herd is the other side of that: recws brings every client back in the same few")
	o.P("  milliseconds (a thundering herd on a restarting server); redial's full jitter spreads")
	o.P("  them over the first backoff window.")
	o.P("")

	allowed := floor + max(time.Millisecond, pct(late, 50))
	o.Target("reconnect p50 after a drop ≤ the backoff draw + 1 RTT (≈ 0.5 s at the default)",
		fmt.Sprintf("p50 %s (draw p50 %s); open − draw p50 %s vs %s allowed", benchkit.Ms(pct(col(def, open), 50)),
			benchkit.Ms(pct(col(def, func(t trial) time.Duration { return t.draws }), 50)), benchkit.Ms(exc), benchkit.Ms(allowed)),
		exc <= allowed, fmt.Sprintf("1 RTT read as the floor (a raw client redialed at once by hand, same faults and load: %s) + max(1 ms, the timer's lateness p50 here, %s) for the wait's wake-up and hand-offs", benchkit.Ms(floor), benchkit.Ms(pct(late, 50))))
	for _, h := range hr {
		if h.client != "redial" {
			continue
		}
		pk := peakWindow(h.back, herdWindow)
		share := float64(pk) / float64(len(h.back))
		o.Target(fmt.Sprintf("no herd: %d clients dropped at once, ≤ 15 %% back within any %v", herdN, herdWindow),
			fmt.Sprintf("peak %.0f %% (recws: %.0f %%)", 100*share, 100*float64(peakWindow(hr[len(hr)-1].back, herdWindow))/float64(herdN)),
			share <= 0.15, "200 uniform draws over 1 s put 9 % (median) to 12 % (p99) in their busiest 50 ms (simulated); a herd puts 100 %")
	}
	return o.Close()
}

// retriesWord words the mean and most retries a herd's clients scheduled
// (redial reports them; recws does not).
func retriesWord(h herdResult) string {
	if h.client == "recws" {
		return "not reported"
	}
	sum, most := 0, 0
	for _, r := range h.retries {
		sum += r
		most = max(most, r)
	}
	return fmt.Sprintf("%.1f (%d)", float64(sum)/float64(len(h.retries)), most)
}

func msf(d time.Duration) string { return fmt.Sprintf("%.3f", float64(d)/float64(time.Millisecond)) }

// herdPlot draws one histogram of time back per client, on one x scale.
func herdPlot(path string, n int, hr []herdResult) error {
	const bin = 20 * time.Millisecond
	var top time.Duration
	for _, h := range hr {
		top = max(top, slices.Max(h.back))
	}
	nb := int(top/bin) + 1
	var plots []*plot.Plot
	for _, h := range hr {
		bins := make([]plotter.HistogramBin, nb)
		for i := range bins {
			bins[i].Min = float64(time.Duration(i)*bin) / 1e6
			bins[i].Max = float64(time.Duration(i+1)*bin) / 1e6
		}
		for _, d := range h.back {
			bins[int(d/bin)].Weight++
		}
		hist := &plotter.Histogram{Bins: bins, Width: float64(bin) / 1e6, FillColor: benchkit.Colors[h.client]}
		hist.LineStyle.Width = vg.Length(0.5)
		p := plot.New()
		p.Title.Text = fmt.Sprintf("%s: %d clients dropped at once", h.client, n)
		p.X.Label.Text = "time back after the drop (ms), 20 ms bins"
		p.Y.Label.Text = "clients"
		p.X.Min, p.X.Max = 0, float64(time.Duration(nb)*bin)/1e6
		p.Add(hist)
		plots = append(plots, p)
	}
	return benchkit.SaveColumn(path, 16*vg.Centimeter, 6*vg.Centimeter, plots...)
}
