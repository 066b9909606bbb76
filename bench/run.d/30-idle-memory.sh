#!/usr/bin/env bash
# budget: 90s
# make bench piece 30: heap, stacks and goroutines per idle native
# connection, 10,000 of them, redial vs raw coder/websocket vs gorilla
# (bench/cmd/idlemem; client and echo server in two processes), then
# where redial's extra heap goes: its heap profile against coder's.
set -euo pipefail
export GOTOOLCHAIN=go1.26.10
name=30-idle-memory
mkdir -p bench/out/bin
(cd bench && go build -o out/bin/idlemem ./cmd/idlemem)
bench/out/bin/idlemem -n "${BENCH_IDLE_N:-10000}" -out bench/out -name $name \
  -heapprofile "bench/out/$name-%s.heap.pprof"
{
  echo "Where redial's extra heap goes: its heap profile minus coder's, both taken with every"
  echo "connection open (\`go tool pprof -top -sample_index=inuse_space -diff_base"
  echo "bench/out/$name-coder.heap.pprof bench/out/$name-redial.heap.pprof\`), top 15:"
  echo
  echo '```'
  go tool pprof -top -nodecount=15 -sample_index=inuse_space \
    -diff_base "bench/out/$name-coder.heap.pprof" "bench/out/$name-redial.heap.pprof" 2>/dev/null |
    sed -n '/flat%/,$p'
  echo '```'
  echo
} >>"bench/out/$name.md"
