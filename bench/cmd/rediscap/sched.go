package main

import (
	"os"

	"github.com/redis/go-redis/v9"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
)

// schedLatency reads the Go runtime's histogram of the time goroutines
// waited runnable before they ran: when it grows with the load while the
// process's CPU share does not, the process is starved of CPU (here: by
// Redis and whatever else shares the 2 cores), not blocked on Redis.
func schedLatency() *metrics.Float64Histogram {
	s := []metrics.Sample{{Name: "/sched/latencies:seconds"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64Histogram {
		return nil
	}
	return s[0].Value.Float64Histogram()
}

// histQuantile is the q-quantile of the counts added between a and b
// (upper bucket bound; 0 when nothing was added or unreadable).
func histQuantile(a, b *metrics.Float64Histogram, q float64) time.Duration {
	if a == nil || b == nil || len(a.Counts) != len(b.Counts) {
		return 0
	}
	var total uint64
	for i := range b.Counts {
		total += b.Counts[i] - a.Counts[i]
	}
	if total == 0 {
		return 0
	}
	want := uint64(q * float64(total))
	var seen uint64
	for i := range b.Counts {
		seen += b.Counts[i] - a.Counts[i]
		if seen > want {
			hi := b.Buckets[i+1]
			if hi > 1e9 { // +Inf bucket
				hi = b.Buckets[i]
			}
			return time.Duration(hi * float64(time.Second))
		}
	}
	return 0
}

// loadAvg is the 1-minute load average (/proc/loadavg), -1 if unreadable:
// on a machine shared with other work it says how busy the 2 cores were.
func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f, err := strconv.ParseFloat(strings.Fields(string(b))[0], 64)
	if err != nil {
		return -1
	}
	return f
}

// poolShare is the share of the pool's connection requests between a and
// b that had to wait for a free connection (go-redis's default pool holds
// 10 per core): the node's own queue in front of Redis.
func poolShare(a, b redis.PoolStats) float64 {
	req := float64(b.Hits-a.Hits) + float64(b.Misses-a.Misses) + float64(b.WaitCount-a.WaitCount)
	if req == 0 {
		return 0
	}
	return float64(b.WaitCount-a.WaitCount) / req
}

// poolMean is the mean wait of those that waited.
func poolMean(a, b redis.PoolStats) time.Duration {
	n := b.WaitCount - a.WaitCount
	if n == 0 {
		return 0
	}
	return time.Duration((b.WaitDurationNs - a.WaitDurationNs) / int64(n))
}
