#!/usr/bin/env bash
# budget: 150s
# make bench piece 60: read backpressure in the browser. A loopback server
# offers 10,000 msg/s of 1 KiB to six pages (each its own headless Chromium,
# run at once) that consume 100 msg/s: raw WebSocket (blocking and queued
# handlers), RedialSocket over each transport, and a Go program in wasm
# Reading over each transport. Renderer RSS every second, the bytes the
# server's writes completed, the messages handled (bench/cmd/backpressure).
set -euo pipefail
export GOTOOLCHAIN=go1.26.10
secs=${BENCH_BACKPRESSURE_SECONDS:-60}
out=bench/out
mkdir -p "$out/bin" "$out/60-wasm"
scripts/ensure-chromium.sh
scripts/ensure-npm.sh
[[ -f dist/redial.wasm && -f dist/index.js ]] || scripts/build-js.sh
(cd bench && go build -o out/bin/backpressure ./cmd/backpressure &&
  GOOS=js GOARCH=wasm go build -trimpath -o out/60-wasm/wasmreader.wasm ./cmd/backpressure/wasmreader)
cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" "$out/60-wasm/"

# The server runs until its stdin closes: a FIFO held open until exit.
fifo=$(mktemp -u "${TMPDIR:-/tmp}/redial-bp.XXXXXX")
mkfifo "$fifo"
"$out/bin/backpressure" serve -dist dist -wasm "$out/60-wasm" <"$fifo" >"$out/60-server.out" &
server=$!
exec {hold}>"$fifo"
rm -f "$fifo"
trap 'exec {hold}>&-; wait "$server" 2>/dev/null || true' EXIT
origin=""
for _ in $(seq 1 50); do
  origin=$(sed -n 's/.*"origin":"\([^"]*\)".*/\1/p' "$out/60-server.out" 2>/dev/null || true)
  [[ -n $origin ]] && break
  sleep 0.1
done
[[ -n $origin ]] || { echo "60-backpressure: the server did not start" >&2; exit 1; }

node bench/cmd/backpressure/driver.mjs "$origin" "$secs" "$out/60-backpressure.csv" "$out/60-backpressure.json"
"$out/bin/backpressure" plot "$out/60-backpressure.csv" "$out/60-backpressure.svg"
node bench/cmd/backpressure/report.mjs "$out/60-backpressure.json" "$out/60-backpressure.md" "$out/60-backpressure.targets.tsv" \
  "bench/run.d/60-backpressure.sh   # BENCH_BACKPRESSURE_SECONDS=$secs"
