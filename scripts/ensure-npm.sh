#!/usr/bin/env bash
# Installs the JS dev dependencies (esbuild, typescript, playwright-core, ws) from package-lock.json,
# only when node_modules is missing or older than the lockfile, so it is a
# no-op (and silent) on repeat runs. Never downloads a browser: we use Debian's Chromium.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# -ot is also true when the left-hand file does not exist.
if [[ node_modules/.package-lock.json -ot package-lock.json ]]; then
  echo "ensure-npm: npm ci" >&2
  npm ci --no-audit --no-fund --silent
fi
