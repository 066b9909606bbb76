package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// report writes <name>.md, <name>.csv and <name>.targets.tsv into c.out.
func report(c *config, res []step, stopped string, took time.Duration) error {
	if len(res) == 0 {
		return fmt.Errorf("no step measured: %s", stopped)
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	capacity, verdict := capacityOf(res)
	var md strings.Builder
	fmt.Fprintf(&md, "## Redis store: sessions at %s/s each before p99 latency doubles, and per-message cost (issue 11)\n\n", size(c.size))
	if c.command != "" {
		fmt.Fprintf(&md, "```\n%s\n```\n\n", c.command)
	}
	fmt.Fprintf(&md, "**%s.** One redis-server (loopback, persistence off), one `server.Server` node with "+
		"`server/redisstore` (default options) echoing every message, real clients (`sdk.Conn`, `Options.Resume`) "+
		"in the node's process; each session sends one %d-byte message every %v at a random phase. Latency: client "+
		"`Write` → node → handler `Read` (SetDelivered in Redis) → handler `Write` (Append in Redis) → client `Read`. "+
		"Ratio: p99 over the baseline step's p99 (%d sessions). Ramp: %s; %v in all.\n\n",
		verdict, c.size, c.every, res[0].sessions, stopped, took.Round(time.Second))
	md.WriteString("| sessions | p99 ratio | echoes/s | p50 | p99 | max | missing | Redis CPU | client+node CPU | Redis commands/s | Go sched p99 | pool waits (mean) | load 1 min | note |\n")
	md.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	maxLoad := 0.0
	for _, s := range res {
		fmt.Fprintf(&md, "| %d | %.2f× | %.0f | %s | %s | %s | %d | %.0f %% | %.0f %% | %.0f | %s | %.0f %% (%s) | %.1f | %s |\n",
			s.sessions, s.ratio, s.echoesPerSec, ms(s.p50), ms(s.p99), ms(s.max), s.missing, s.redisCPU, s.procCPU, s.redisCmds,
			ms(s.schedP99), 100*s.poolWaits, ms(s.poolWait), s.load, s.note)
		maxLoad = max(maxLoad, s.load)
	}
	md.WriteString("\n")
	if c.cost != "" {
		if err := costSection(&md, c.cost); err != nil {
			return err
		}
	}
	md.WriteString("Reading it:\n\n")
	if maxLoad > 1.5*float64(runtime.NumCPU()) {
		fmt.Fprintf(&md, "- **This run shared the machine** (1-minute load up to %.1f on %d cores): every process, Redis "+
			"included, waited for a core, which is most of the tail here. Rerun on a quiet machine for the figure.\n",
			maxLoad, runtime.NumCPU())
	}
	fmt.Fprintf(&md, ""+
		"- One machine, %d cores, shared by the clients, the node and Redis (and, in `make bench`, nothing else): "+
		"the knee is where this box runs out of CPU, not where a Redis on its own host would. "+
		"Compare the Redis CPU column (one core is 100 %%; Redis runs commands on one thread) with the client+node one. "+
		"Go sched p99 is how long this process's runnable goroutines waited for a core (runtime/metrics); when it grows "+
		"with the latency while neither CPU column is near 100 %%, the latency is the cores' queue (clients, node and "+
		"Redis on 2 cores, plus the load-1-min column's other work), not Redis being slow.\n"+
		"- Each echo is two Redis round trips on the node (a `Read` waits for SetDelivered, a `Write` for Append; "+
		"acks add 1/64), so latency grows with Redis's queue and the node's go-redis pool (default size, 10 per core) "+
		"before Redis itself is busy: pool waits is the share of the node's Redis commands that queued for a "+
		"connection (a connection is held for a whole round trip, so a Redis that waits for a core holds them all).\n"+
		"- A step whose p99 reached 2× is measured again at the same load; the note says what the other window saw, "+
		"and only two windows in a row at ≥ 2× end the ramp (one stall of a shared machine makes a p99 at these sample counts).\n"+
		"- Missing: echoes sent in the window that did not come back within %v; they rank last in the percentiles.\n"+
		"- No threshold: this is a figure to size a deployment by; rerun on the target machine.\n",
		runtime.NumCPU(), c.grace)
	if err := os.WriteFile(filepath.Join(c.out, c.name+".md"), []byte(md.String()), 0o644); err != nil {
		return err
	}

	var csv strings.Builder
	csv.WriteString("sessions,echoes_per_s,p50_ms,p99_ms,max_ms,p99_ratio,samples,missing,redis_cpu_pct,client_node_cpu_pct," +
		"redis_commands_per_s,sched_p99_ms,pool_wait_share,pool_wait_mean_ms,load1\n")
	for _, s := range res {
		fmt.Fprintf(&csv, "%d,%.1f,%.3f,%.3f,%.3f,%.3f,%d,%d,%.1f,%.1f,%.0f,%.3f,%.3f,%.3f,%.2f\n", s.sessions, s.echoesPerSec,
			msf(s.p50), msf(s.p99), msf(s.max), s.ratio, s.samples, s.missing, s.redisCPU, s.procCPU, s.redisCmds,
			msf(s.schedP99), s.poolWaits, msf(s.poolWait), s.load)
	}
	if err := os.WriteFile(filepath.Join(c.out, c.name+".csv"), []byte(csv.String()), 0o644); err != nil {
		return err
	}

	met, why := "met", "p99 doubled within the ramp; the figure is the last step below 2×"
	if capacity < 0 {
		met, why = "missed", "p99 never doubled before the ramp ended ("+stopped+"): only a lower bound"
	}
	tsv := fmt.Sprintf("Redis store: concurrent sessions at %s/s before p99 ≥ 2× baseline (issue 11, a figure)\t%s\t%s\t%s\n",
		size(c.size), verdict, met, why)
	return os.WriteFile(filepath.Join(c.out, c.name+".targets.tsv"), []byte(tsv), 0o644)
}

// capacityOf returns the largest step before the first one with p99 ≥ 2×
// the baseline (-1 if none doubled) and a sentence saying so.
func capacityOf(res []step) (int, string) {
	for i, s := range res {
		if i > 0 && s.ratio >= 2 {
			prev := res[i-1]
			return prev.sessions, fmt.Sprintf("%d sessions (p99 %s, %.2f× baseline %s); doubled at %d (p99 %s, %.2f×)",
				prev.sessions, ms(prev.p99), prev.ratio, ms(res[0].p99), s.sessions, ms(s.p99), s.ratio)
		}
	}
	last := res[len(res)-1]
	return -1, fmt.Sprintf("≥ %d sessions (p99 %s, %.2f× baseline %s: not doubled)", last.sessions, ms(last.p99), last.ratio, ms(res[0].p99))
}

// costSection renders TestMeasureCost's figures (key<TAB>value lines).
func costSection(md *strings.Builder, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cost figures: %w", err)
	}
	defer f.Close()
	v := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, val, ok := strings.Cut(sc.Text(), "\t"); ok {
			v[k] = val
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	for _, k := range []string{"n", "mem_rate", "redis_rate", "ratio", "trips_per_msg", "cmds_per_msg", "idle_usage_b", "idle_used_memory_b", "command"} {
		if v[k] == "" {
			return fmt.Errorf("cost figures %s: no %q", path, k)
		}
	}
	fmt.Fprintf(md, "Per-message cost against the in-memory store, one node, one client streaming %s messages each way at once "+
		"(`%s`):\n\n", v["n"], v["command"])
	md.WriteString("| measure | MemoryStore | Redis store | ratio |\n|---|---:|---:|---:|\n")
	fmt.Fprintf(md, "| throughput, messages/s (both ways) | %s | %s | %s× |\n\n", v["mem_rate"], v["redis_rate"], v["ratio"])
	md.WriteString("| Redis store, raw | value |\n|---|---:|\n")
	fmt.Fprintf(md, "| Redis round trips per message (EVALSHA+EVAL) | %s |\n", v["trips_per_msg"])
	fmt.Fprintf(md, "| commands run inside Redis per message | %s |\n", v["cmds_per_msg"])
	fmt.Fprintf(md, "| idle session, MEMORY USAGE of its two keys | %s B |\n", v["idle_usage_b"])
	fmt.Fprintf(md, "| idle session, used_memory over 1,000 | %s B |\n\n", v["idle_used_memory_b"])
	return nil
}

func ms(d time.Duration) string { return strconv.FormatFloat(msf(d), 'f', 2, 64) + " ms" }

func msf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func size(n int) string {
	if n%1024 == 0 {
		return strconv.Itoa(n/1024) + " KiB"
	}
	return strconv.Itoa(n) + " B"
}
