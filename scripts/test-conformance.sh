#!/usr/bin/env bash
# Runs the conformance suite (test/conformance) on both platforms: natively with the race
# detector, then compiled to GOOS=js GOARCH=wasm in headless Chromium against the shared
# testserver. Prints one summary line per platform; on failure, the failing tests' output.
#
# Usage: scripts/test-conformance.sh [go test flags, e.g. -run TestDrop]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
pkg=./test/conformance

logdir=$(mktemp -d "${TMPDIR:-/tmp}/redial-conformance.XXXXXX")
trap 'rm -rf "$logdir"' EXIT

status=0

# count PATTERN FILE: matching lines (0 when none; grep -c exits 1 then).
count() { grep -cE -- "$1" "$2" || true; }

# run NAME CMD...: runs one platform, prints its summary line, and on failure the
# output that explains it.
run() {
  local name=$1
  shift
  local log="$logdir/$name.log" rc=0 start end
  start=$EPOCHREALTIME
  "$@" >"$log" 2>&1 || rc=$?
  end=$EPOCHREALTIME
  local pass skip fail tpass tskip
  pass=$(count '^ *--- PASS' "$log")
  skip=$(count '^ *--- SKIP' "$log")
  fail=$(count '^ *--- FAIL' "$log")
  tpass=$(count '^--- PASS' "$log")
  tskip=$(count '^--- SKIP' "$log")
  local verdict=ok
  [[ $rc -ne 0 ]] && verdict=FAIL
  printf 'conformance %-8s %-4s  PASS %3d  SKIP %2d  FAIL %2d  (top-level tests: %d pass, %d skip)  %.1fs\n' \
    "$name:" "$verdict" "$pass" "$skip" "$fail" "$tpass" "$tskip" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')"
  if [[ $rc -ne 0 ]]; then
    status=1
    # Failing tests and their log lines; skip messages ("browser: …", "native: …") left out.
    local why
    why=$(grep -E -- '^ *--- FAIL|^FAIL|^panic:|^ +[^ ]+\.go:[0-9]+: ' "$log" |
      grep -vE -- '_test\.go:[0-9]+: (browser|native): ' || true)
    if [[ -n $why ]]; then
      head -n 80 <<<"$why"
    else
      tail -n 40 "$log"
    fi
  fi
}

run native go test -race -count=1 -v "$@" "$pkg"
run browser env REDIAL_TESTSERVER=1 "$root/scripts/test-browser-go.sh" -count=1 -v "$@" "$pkg"
exit "$status"
