#!/usr/bin/env bash
# budget: 180s
# make bench piece 70 (issue 11): the Redis store's per-message cost
# against the in-memory store (TestMeasureCost, ~5 s), then the number of
# concurrent resume sessions at 1 KiB/s each that one redis-server holds
# on this machine before the end-to-end p99 latency doubles
# (bench/cmd/rediscap: its own redis-server on a free loopback port, one
# server.Server node with server/redisstore, real sdk.Conn clients; it
# stops the ramp once p99 doubled (twice in a row) or its 45 s ramp budget is spent, and stops
# redis-server on exit). Writes bench/out/70-redis-capacity.{md,csv,targets.tsv}.
set -euo pipefail
export GOTOOLCHAIN=go1.26.10
start=$(date +%s)
scripts/ensure-redis.sh
mkdir -p bench/out/bin
n="${BENCH_REDIS_COST_N:-20000}"
cost=bench/out/70-redis-capacity.cost.tsv
REDIAL_MEASURE_N="$n" REDIAL_MEASURE_OUT="$PWD/$cost" \
  go test -count=1 -run '^TestMeasureCost$' -v ./server/redisstore >bench/out/70-redis-capacity.cost.log 2>&1 ||
  { cat bench/out/70-redis-capacity.cost.log >&2; exit 1; }
echo "70-redis-capacity: cost measure $(($(date +%s) - start)) s" >&2
(cd bench && go build -o out/bin/rediscap ./cmd/rediscap)
bench/out/bin/rediscap -out bench/out -name 70-redis-capacity -cost "$cost" \
  -budget "${BENCH_REDIS_BUDGET:-120s}" \
  -command "bench/run.d/70-redis-capacity.sh   # bench/out/bin/rediscap (bench/cmd/rediscap) after REDIAL_MEASURE_N=$n go test -run TestMeasureCost ./server/redisstore"
echo "70-redis-capacity: $(($(date +%s) - start)) s" >&2
