#!/usr/bin/env bash
# 50-browser (budget ≤ 3 min): in one headless Chromium page against one
# loopback server, echo RTT and throughput at 16 B / 1 KiB / 64 KiB for a raw
# WebSocket, RedialSocket (resume off, on), reconnecting-websocket 4.4.0,
# partysocket 1.3.0 and a Go program in wasm using sdk; then reconnect
# latency at each library's defaults after a drop and a listener down 500 ms.
# Writes bench/out/50-browser.{md,csv,targets.tsv} (bench/browser/browser.mjs).
# BENCH_QUICK=1: a smoke run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export GOTOOLCHAIN=${GOTOOLCHAIN:-go1.26.10} PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

bench/browser/prepare.sh
node bench/browser/browser.mjs
