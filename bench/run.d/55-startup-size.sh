#!/usr/bin/env bash
# 55-startup-size (budget ≤ 1.5 min): page load → first open for a raw
# WebSocket vs RedialSocket (wasm fetch + compile included), cold (fresh
# user-data-dir) and cached; redial.wasm raw/gzip/brotli vs a hello-world Go
# wasm and vs the JS peers minified and compressed. Writes
# bench/out/55-startup-size.{md,csv,targets.tsv} (bench/browser/startup.mjs).
# BENCH_QUICK=1: a smoke run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export GOTOOLCHAIN=${GOTOOLCHAIN:-go1.26.10} PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

bench/browser/prepare.sh
node bench/browser/startup.mjs
