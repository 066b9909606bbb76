#!/usr/bin/env bash
# What the browser benchmarks (bench/run.d/50-browser.sh, 55-startup-size.sh)
# need, each step idempotent and quiet: Chromium, dist/ (redial.wasm and
# index.js; build-js.sh also installs the npm dev dependencies), and the JS
# peers pinned in bench/browser/package-lock.json (reconnecting-websocket
# 4.4.0, partysocket 1.3.0), installed with npm ci only when node_modules is
# missing or older than the lockfile.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

scripts/ensure-chromium.sh
scripts/build-js.sh
mkdir -p bench/out/browser
# -ot is also true when the left-hand file does not exist.
if [[ bench/browser/node_modules/.package-lock.json -ot bench/browser/package-lock.json ]]; then
  echo "bench/browser/prepare: npm ci in bench/browser" >&2
  (cd bench/browser && npm ci --no-audit --no-fund --silent)
fi
