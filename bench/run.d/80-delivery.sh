#!/usr/bin/env bash
# budget: 90s
# make bench piece 80: what delivery means without and with resume.
# Without resume, through a proxy that resets the TCP stream every 100
# messages: how many of 20,000 messages whose Write returned nil the server
# never received (BenchmarkLossAcrossCuts). With resume: its bytes per
# message on the wire against plain WebSocket (server's TestWireOverhead).
set -euo pipefail
export GOTOOLCHAIN=go1.26.10
name=80-delivery
out=bench/out
mkdir -p "$out"
loss_cmd="cd bench && go test -run '^\$' -bench LossAcrossCuts -benchtime 1x ."
wire_cmd="go test -count=1 -run '^TestWireOverhead\$' -v ./server/"
loss=$(cd bench && go test -run '^$' -bench LossAcrossCuts -benchtime 1x . 2>&1)
wire=$(go test -count=1 -run '^TestWireOverhead$' -v ./server/ 2>&1)
stream_cmd="cd bench && go test -run '^\$' -bench ResumeStream -benchtime 1s -count 3 ."
stream=$(cd bench && go test -run '^$' -bench ResumeStream -benchtime 1s -count 3 . 2>&1)
echo "$stream" | grep -E '^Benchmark|^(ok|FAIL)' || true
echo "$loss" | grep -E '^Benchmark|^(ok|FAIL)' || true
echo "$wire" | grep -E 'B/msg|^(ok|FAIL|---)' || true

# metric VALUE from a benchmark line: "... 7470 lost/op 0 dup/op 0 reordered/op";
# a whole mean as an integer (the benchmark prints "3.000", which reads as
# three thousand), else one decimal.
metric() {
  awk -v m="$2" '{ for (i = 2; i <= NF; i++) if ($i == m) { v = $(i-1) + 0
    if (v == int(v)) printf "%d\n", v; else printf "%.1f\n", v } }' <<<"$1"
}
row() {
  local line
  line=$(grep -E "LossAcrossCuts/paced=$1" <<<"$loss" | head -1)
  printf '| %s | %s | %s | %s |\n' "$2" "$(metric "$line" lost/op)" "$(metric "$line" dup/op)" "$(metric "$line" reordered/op)"
}
wireline=$(grep -oE '[0-9]+-byte messages.*' <<<"$wire" | head -1)

{
  echo "## Delivery: loss across cuts without resume, resume's wire overhead"
  echo
  echo "Commands: \`$loss_cmd\` and \`$wire_cmd\`."
  echo
  echo "Without resume, one op writes 20,000 numbered 4-byte messages through a TCP"
  echo "proxy that resets the connection every 100 messages (200 cuts); the server"
  echo "counts what it received. \`Write\` returned nil for every message. Mean per op:"
  echo
  echo "| pacing | lost / 20,000 | duplicated | reordered |"
  echo "|---|---|---|---|"
  row false "unpaced"
  row true "~0.5 ms between writes"
  echo
  echo "With resume (32-byte messages, 10,000 each way, TCP bytes counted on the client):"
  echo
  echo "> ${wireline:-TestWireOverhead printed no figure (see bench/out/$name.log)}"
  echo
  echo 'Resume on vs off, one-way stream through a `server.Server` (MemoryStore), MB/s,'
  echo "median of 3 (\`$stream_cmd\`); the ratio is resume on / off in this run:"
  echo
  echo "| direction | size | resume off MB/s | resume on MB/s | on / off |"
  echo "|---|---|---|---|---|"
  for dir in c2s s2c; do
    for size in 16 1024 65536; do
      off=$(grep -E "ResumeStream/dir=$dir/size=$size/resume=false" <<<"$stream" | awk '{for(i=1;i<=NF;i++) if($i=="MB/s") print $(i-1)}' | sort -g | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]}')
      on=$(grep -E "ResumeStream/dir=$dir/size=$size/resume=true" <<<"$stream" | awk '{for(i=1;i<=NF;i++) if($i=="MB/s") print $(i-1)}' | sort -g | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]}')
      ratio=$(awk -v a="$on" -v b="$off" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
      label=$([ $dir = c2s ] && echo "client → server" || echo "server → client")
      echo "| $label | $size B | ${off:--} | ${on:--} | $ratio |"
    done
  done
  echo
  echo "Reading it:"
  echo
  echo "- Without resume, redial is at most once for what is in flight when a"
  echo "  connection dies (as every peer is): the unpaced writer loses whatever sat in"
  echo "  socket buffers at each cut. Resume mode is the cure; its exactly-once proof"
  echo "  under cuts is a test (\`make test\`'s soak and server tests), not a benchmark."
  echo "- Resume's per-message cost on the wire is the kind byte and a uvarint"
  echo "  sequence number, plus an ACK frame per window."
} >"$out/$name.md"
