#!/usr/bin/env bash
# budget: 90s
# make bench piece 30: heap, stacks and goroutines per idle native
# connection, 10,000 of them, redial vs raw coder/websocket vs gorilla
# (bench/cmd/idlemem; client and echo server in two processes).
set -euo pipefail
export GOTOOLCHAIN=go1.26.10
mkdir -p bench/out/bin
(cd bench && go build -o out/bin/idlemem ./cmd/idlemem)
bench/out/bin/idlemem -n "${BENCH_IDLE_N:-10000}" -out bench/out -name 30-idle-memory
