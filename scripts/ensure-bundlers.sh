#!/usr/bin/env bash
# Installs each bundler fixture's pinned tools (test/bundlers/<tool>/: Vite,
# esbuild, webpack 5) from its own package-lock.json with npm ci, only when
# its node_modules is missing or older than the lockfile: a no-op, and
# silent, on repeat runs. test/js/bundlers.test.js builds the fixtures.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

for lock in test/bundlers/*/package-lock.json; do
  dir=$(dirname "$lock")
  # -ot is also true when the left-hand file does not exist.
  if [[ $dir/node_modules/.package-lock.json -ot $lock ]]; then
    echo "ensure-bundlers: npm ci in $dir" >&2
    (cd "$dir" && npm ci --no-audit --no-fund --silent)
  fi
done
