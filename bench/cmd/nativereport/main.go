// Command nativereport turns the native benchmarks' output (go test
// -bench, several -count runs) into bench/out/10-native.md's ratio tables,
// a CSV of medians and 10-native.targets.tsv (issue 13's native targets).
//
//	nativereport -in raw.txt -benchstat stat.txt -cmd "..." -out bench/out
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// key is one benchmark without its client: e.g. "RoundTrip/server=coder/type=binary/size=1KiB".
type key = string

// result is the medians of one benchmark for one client.
type result struct{ ns, cpu, bytes, allocs, gor, heap float64 }

var line = regexp.MustCompile(`^Benchmark(\S+?)/client=([\w-]+?)(?:-\d+)?\s+\d+\s+(.*)$`)

func main() {
	in := flag.String("in", "", "go test -bench output")
	stat := flag.String("benchstat", "", "benchstat output to append as raw figures")
	cmd := flag.String("cmd", "", "the command that made the figures")
	out := flag.String("out", "bench/out", "output directory")
	flag.Parse()
	res, order, err := parse(*in)
	if err != nil {
		fatal(err)
	}
	raw, _ := os.ReadFile(*stat)
	var md strings.Builder
	fmt.Fprintf(&md, "## Native data path: redial vs coder/websocket vs gorilla/websocket\n\n")
	fmt.Fprintf(&md, "```sh\n%s\n```\n\n", *cmd)
	writeRatios(&md, res, order)
	writeTargets(filepath.Join(*out, "10-native.targets.tsv"), res)
	writeCSV(filepath.Join(*out, "10-native.csv"), res, order)
	fmt.Fprintf(&md, "\n### Raw figures (benchstat, medians ± 95%% CI)\n\n```\n%s```\n", raw)
	md.WriteString(reading)
	if err := os.WriteFile(filepath.Join(*out, "10-native.md"), []byte(md.String()), 0o644); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "nativereport:", err)
	os.Exit(1)
}

// parse collects every run's figures and returns their medians.
func parse(path string) (map[key]map[string]result, []key, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	runs := map[key]map[string]map[string][]float64{}
	var order []key
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		k, client := m[1], m[2]
		if runs[k] == nil {
			runs[k] = map[string]map[string][]float64{}
			order = append(order, k)
		}
		if runs[k][client] == nil {
			runs[k][client] = map[string][]float64{}
		}
		f := strings.Fields(m[3])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err == nil {
				runs[k][client][f[i+1]] = append(runs[k][client][f[i+1]], v)
			}
		}
	}
	res := map[key]map[string]result{}
	for k, cs := range runs {
		res[k] = map[string]result{}
		for c, u := range cs {
			res[k][c] = result{median(u["ns/op"]), median(u["cpu-ns/op"]), median(u["B/op"]), median(u["allocs/op"]),
				median(u["goroutines/conn"]), median(u["heap-B/conn"])}
		}
	}
	return res, order, sc.Err()
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// ratio is a/b's wall time per op (> 1: a is slower).
func ratio(res map[key]map[string]result, k, a, b string) (float64, bool) {
	return ratioOf(res, k, a, b, func(r result) float64 { return r.ns })
}

// cpuRatio is a/b's CPU time per op (the whole process's: client and server).
func cpuRatio(res map[key]map[string]result, k, a, b string) (float64, bool) {
	return ratioOf(res, k, a, b, func(r result) float64 { return r.cpu })
}

func ratioOf(res map[key]map[string]result, k, a, b string, f func(result) float64) (float64, bool) {
	ra, oka := res[k][a]
	rb, okb := res[k][b]
	if !oka || !okb || f(rb) == 0 {
		return 0, false
	}
	return f(ra) / f(rb), true
}

type pair struct{ title, server, a, b string }

var pairs = []pair{
	{"redial / coder (coder/websocket echo; > 1: redial is slower)", "coder", "redial", "coder"},
	{"redial / gorilla (coder/websocket echo)", "coder", "redial", "gorilla"},
	{"resume on / resume off (redial server.Server echo, MemoryStore)", "resume", "redial-resume", "redial"},
	{"redial resume off / coder (both plain clients of the redial server.Server echo)", "resume", "redial", "coder"},
}

func writeRatios(md *strings.Builder, res map[key]map[string]result, order []key) {
	md.WriteString("Wall time per op, ratio of medians (one run, same server; round trip = one message and its echo; pipelined = up to 64 in flight, so 1/ratio is the throughput ratio); in brackets the same for CPU time per op (the process's, client and server: steadier than wall time when the machine is busy). Extra allocs = allocs/op difference.\n\n")
	for _, p := range pairs {
		fmt.Fprintf(md, "### %s\n\n| benchmark | type | 16B | 1KiB | 64KiB | extra allocs/op (1KiB) |\n|---|---|---|---|---|---|\n", p.title)
		for _, bench := range []string{"RoundTrip", "Pipelined"} {
			for _, ty := range []string{"binary", "text"} {
				fmt.Fprintf(md, "| %s | %s |", bench, ty)
				for _, sz := range []string{"16B", "1KiB", "64KiB"} {
					k := bench + "/server=" + p.server + "/type=" + ty + "/size=" + sz
					r, ok := ratio(res, k, p.a, p.b)
					rc, okc := cpuRatio(res, k, p.a, p.b)
					switch {
					case ok && okc:
						fmt.Fprintf(md, " %.2f× (cpu %.2f×) |", r, rc)
					case ok:
						fmt.Fprintf(md, " %.2f× |", r)
					default:
						md.WriteString(" – |")
					}
				}
				k := bench + "/server=" + p.server + "/type=" + ty + "/size=1KiB"
				fmt.Fprintf(md, " %+.0f |\n", res[k][p.a].allocs-res[k][p.b].allocs)
			}
		}
		md.WriteString("\n")
	}
	if idle, ok := res["Idle"]; ok {
		md.WriteString("### Idle connections (100 per client, server in another process, one app reader goroutine per connection included)\n\n| client | goroutines/conn | heap B/conn | heap vs coder |\n|---|---|---|---|\n")
		for _, c := range []string{"coder", "gorilla", "redial"} {
			if r, ok := idle[c]; ok {
				fmt.Fprintf(md, "| %s | %.2f | %.0f | %.2f× |\n", c, r.gor, r.heap, r.heap/idle["coder"].heap)
			}
		}
		md.WriteString("\n")
	}
	_ = order
}

// writeTargets checks issue 13's native targets at 1 KiB; of text and
// binary, the worse one counts.
func writeTargets(path string, res map[key]map[string]result) {
	var b strings.Builder
	worst := func(bench string, f func(k string) float64, max bool) (float64, string) {
		best, at := 0.0, ""
		for i, ty := range []string{"binary", "text"} {
			v := f(bench + "/server=coder/type=" + ty + "/size=1KiB")
			if i == 0 || (max && v > best) || (!max && v < best) {
				best, at = v, ty
			}
		}
		return best, at
	}
	rt, rtAt := worst("RoundTrip", func(k string) float64 { r, _ := ratio(res, k, "redial", "coder"); return r }, true)
	tp, tpAt := worst("Pipelined", func(k string) float64 { r, _ := ratio(res, k, "coder", "redial"); return r }, false)
	al, alAt := worst("RoundTrip", func(k string) float64 { return res[k]["redial"].allocs - res[k]["coder"].allocs }, true)
	row := func(name, measured string, met bool, why string) {
		v := "missed"
		if met {
			v = "met"
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\n", name, measured, v, why)
	}
	rtc, _ := cpuRatio(res, "RoundTrip/server=coder/type="+rtAt+"/size=1KiB", "redial", "coder")
	row("native lone round trip ≤ 1.15× raw coder/websocket (1 KiB)", fmt.Sprintf("%.2f× (%s; cpu %.2f×)", rt, rtAt, rtc), rt <= 1.15,
		"two goroutine hand-offs per round trip (Write to the writer, the reader to Read: what lets Write survive reconnects and never block on a stalled socket); redial/coder on one echo, worse of text and binary")
	row("native pipelined throughput ≥ 0.95× raw coder/websocket (1 KiB)", fmt.Sprintf("%.2f× (%s)", tp, tpAt), tp >= 0.95,
		"messages/s, redial/coder, 64 in flight, worse of text and binary; the hand-offs overlap here, so a miss near 0.95 is within this run's noise (see the CPU ratio)")
	row("native ≤ 1 extra alloc per message (1 KiB round trip)", fmt.Sprintf("%+.0f allocs/op (%s)", al, alAt), al <= 1,
		"one op = one Write and one Read; the copy Write makes of p counts")
	// The idle targets (goroutines and heap per idle connection) are
	// 30-idle-memory's, at 10,000 connections as the issue measures them;
	// this piece's 100-connection idle table stays in its own section.
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		fatal(err)
	}
}

func writeCSV(path string, res map[key]map[string]result, order []key) {
	var b strings.Builder
	b.WriteString("benchmark,client,ns_per_op,cpu_ns_per_op,bytes_per_op,allocs_per_op,goroutines_per_conn,heap_bytes_per_conn\n")
	for _, k := range order {
		clients := make([]string, 0, len(res[k]))
		for c := range res[k] {
			clients = append(clients, c)
		}
		sort.Strings(clients)
		for _, c := range clients {
			r := res[k][c]
			fmt.Fprintf(&b, "%s,%s,%g,%g,%g,%g,%g,%g\n", k, c, r.ns, r.cpu, r.bytes, r.allocs, r.gor, r.heap)
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		fatal(err)
	}
}

const reading = `
Reading it:

- Round trip is latency: redial hands each message across goroutines (the
  app's Write queues it for the connection's writer; the connection's reader
  hands the echo to the app's Read), where a raw client writes and reads on
  the app's own goroutine. That queue is what lets Write survive a
  reconnect and return at once on a stalled socket (coder/websocket closes
  the connection when a Write's ctx ends; redial's Write must not), and lets
  the reader answer pings and see a close while the app is busy. Two
  goroutine wake-ups per round trip are the gap; on a busy machine they
  cost more wall time than CPU time (compare the bracketed CPU ratios).
- Pipelined is throughput: the hand-offs overlap, so the ratio is near 1.
- Resume on adds a header per message, acks and a replay buffer on both
  sides (server.Server's); the resume rows compare that with the same
  client and server with resume off.
- Idle: goroutines and heap per connection count the client side only (the
  server runs in another process) and the app's one reader goroutine per
  connection for every client. redial's connection goroutine is its
  reader; the writer exists only while sending, the heartbeat runs on
  timers. The heap gap is the Conn's own state (its contexts, queues,
  event queue, the handshake's headers kept for Handshake(), stats).
`
