#!/usr/bin/env bash
# 10-native: redial's native data path against raw coder/websocket and
# gorilla/websocket, side by side in one run (issue 13, item 1). Writes
# bench/out/10-native.md, 10-native.csv and 10-native.targets.tsv.
# Budget: 4 minutes on the 2-core machine. Run from the repo root.
set -euo pipefail
export GOTOOLCHAIN=${GOTOOLCHAIN:-go1.26.10}
cd "$(dirname "$0")/../.."
start=$(date +%s)
out=bench/out
mkdir -p "$out"
raw=$out/10-native.raw.txt
count=${NATIVE_COUNT:-6}
benchtime=${NATIVE_BENCHTIME:-100ms}
BENCHSTAT="go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da"

cmd="cd bench && go test -run '^\$' -bench 'RoundTrip|Pipelined' -benchmem -count $count -benchtime $benchtime . && go test -run '^\$' -bench Idle -benchtime 1x -count 3 ."
(
	cd bench
	go test -c -o "$OLDPWD/$out/native.test" . # build once, outside the timing
	cd "$OLDPWD/$out"
	./native.test -test.run '^$' -test.bench 'RoundTrip|Pipelined' -test.benchmem \
		-test.count "$count" -test.benchtime "$benchtime" >"$(basename "$raw")"
	./native.test -test.run '^$' -test.bench Idle -test.benchtime 1x -test.count 3 >>"$(basename "$raw")"
	rm -f native.test
)
(cd bench && $BENCHSTAT -col /client "../$raw") >"$out/10-native.benchstat.txt" 2>/dev/null || true
(cd bench && go run ./cmd/nativereport -in "../$raw" -benchstat "../$out/10-native.benchstat.txt" -cmd "$cmd" -out "../$out")
echo "10-native: $(( $(date +%s) - start )) s"
