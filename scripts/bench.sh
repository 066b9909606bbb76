#!/usr/bin/env bash
# make bench: runs every bench/run.d/NN-name.sh in lexical order, from the
# repo root, each writing into bench/out/ (git-ignored), then assembles
# BENCHMARKS.md from bench/out/ (scripts/bench-report.sh).
#
#   BENCH_ONLY=20,30 make bench   rerun pieces 20 and 30 only; the others'
#                                 earlier outputs in bench/out/ are kept and
#                                 BENCHMARKS.md is rebuilt from all of them;
#                                 a piece with no output there (a fresh
#                                 clone) keeps its committed, dated section
#   BENCH_ONLY=none make bench    run nothing, only rebuild BENCHMARKS.md
#
# A piece that fails (non-zero exit, or over BENCH_PIECE_TIMEOUT, default
# 900 s) is reported in BENCHMARKS.md as failed with the last lines of its
# output; the run goes on, and this script exits non-zero at the end. A
# piece may declare its time budget with a line "# budget: 120s"; going
# over it is printed and reported, not fatal.
set -uo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=go1.26.10
out=bench/out
mkdir -p "$out"
only=${BENCH_ONLY:-}
timeout_s=${BENCH_PIECE_TIMEOUT:-900}

# secs_since NS: whole seconds (rounded) since NS, a date +%s%N.
secs_since() { echo $(( ($(date +%s%N) - $1 + 500000000) / 1000000000 )); }

# The machine's load before and after, for the report's header.
{
  echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "started=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "only=$only"
} >"$out/run.env.tmp"

# Warm the build cache first, so the pieces' times are their runs, not the
# first compile of the bench module (gonum/plot alone takes a while).
if [[ $only != none ]]; then
  build_start=$(date +%s%N)
  if (cd bench && go build ./...); then
    echo "=== bench module built in $(secs_since "$build_start") s"
  else
    echo "=== bench module does not build; the pieces that need it will fail" >&2
  fi
fi

failed=()
ran=0
total_start=$(date +%s%N)
for piece in bench/run.d/[0-9][0-9]-*.sh; do
  [[ -e $piece ]] || continue
  name=$(basename "$piece" .sh)
  nn=${name%%-*}
  if [[ -n $only && ",$only," != *",$nn,"* && ",$only," != *",$name,"* ]]; then
    continue
  fi
  budget=$(sed -n 's/^# budget: *\([0-9]*\)s.*/\1/p' "$piece" | head -1)
  # Stale outputs of this piece go first, so a failure never leaves last
  # run's figures looking current.
  rm -f "$out/$name".* "$out/$name"-*
  ran=$((ran + 1))
  echo "=== $name${budget:+ (budget ${budget} s)}"
  start=$(date +%s%N)
  timeout --kill-after=10 "$timeout_s" bash "$piece" 2>&1 | tee "$out/$name.log"
  rc=${PIPESTATUS[0]}
  elapsed=$(secs_since "$start")
  status=ok
  if ((rc != 0)); then
    status="failed (exit $rc$( ((rc == 124)) && echo ", timed out after ${timeout_s} s"))"
  elif [[ ! -s $out/$name.md ]]; then
    status="failed (exit 0 but wrote no $out/$name.md)"
  fi
  [[ $status == ok ]] || failed+=("$name")
  over=""
  [[ -n $budget ]] && ((elapsed > budget)) && over="over budget"
  printf 'status=%s\nelapsed=%s\nbudget=%s\nover=%s\ndate=%s\n' "$status" "$elapsed" "$budget" "$over" \
    "$(date -u '+%Y-%m-%d %H:%M UTC')" >"$out/$name.status"
  echo "=== $name: $status in ${elapsed} s${budget:+ (budget ${budget} s)}${over:+, OVER BUDGET}"
done
total=$(secs_since "$total_start")
# The header describes the last run that ran anything (BENCH_ONLY=none
# only rebuilds the file).
if ((ran > 0)); then
  {
    cat "$out/run.env.tmp"
    echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "total=$total"
  } >"$out/run.env"
  echo "=== $ran pieces took ${total} s"
fi
rm -f "$out/run.env.tmp"

scripts/bench-report.sh || failed+=("bench-report")
if ((${#failed[@]})); then
  echo "make bench: failed: ${failed[*]}" >&2
  exit 1
fi
echo "make bench: BENCHMARKS.md rewritten"
