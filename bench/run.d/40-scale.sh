#!/usr/bin/env bash
# budget: 120s
# make bench piece 40: 1, 10, 100, 300 and 1,000 concurrent native clients
# echoing 1 KiB for 3 s each, redial vs raw coder/websocket: messages/s,
# RTT, heap, goroutines; a table and a plot (bench/cmd/scale).
set -euo pipefail
export GOTOOLCHAIN=go1.26.10
mkdir -p bench/out/bin
(cd bench && go build -o out/bin/scale ./cmd/scale)
bench/out/bin/scale -clients "${BENCH_SCALE_CLIENTS:-1,10,100,300,1000}" -for 3s -out bench/out -name 40-scale
