#!/usr/bin/env bash
# budget: 120s
# make bench piece 20: native reconnect latency after a server drop and
# after the listener is down 500 ms (200 trials each), redial's default
# policy and Backoff.Initial 1 ms vs recws at its defaults, and a herd of
# 200 clients dropped at once (bench/cmd/reconnect).
set -euo pipefail
export GOTOOLCHAIN=go1.26.10
mkdir -p bench/out/bin
(cd bench && go build -o out/bin/reconnect ./cmd/reconnect)
bench/out/bin/reconnect -trials "${BENCH_RECONNECT_TRIALS:-200}" -herd 200 -out bench/out -name 20-reconnect
