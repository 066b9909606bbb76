#!/usr/bin/env bash
# Installs the JS peers the browser benchmarks measure (bench/browser/package-lock.json:
# reconnecting-websocket 4.4.0, partysocket 1.3.0) with npm ci, only when
# node_modules is missing or older than the lockfile: silent on repeat runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# -ot is also true when the left-hand file does not exist.
if [[ node_modules/.package-lock.json -ot package-lock.json ]]; then
  echo "ensure-peers: npm ci in bench/browser" >&2
  npm ci --no-audit --no-fund --silent
fi
