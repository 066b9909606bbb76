#!/usr/bin/env bash
# Builds the browser package into dist/: redial.wasm (the Go SDK for
# GOOS=js GOARCH=wasm) and the ES module + types from js/*.ts (scripts/bundle.mjs:
# esbuild, with Go's matching wasm_exec.js and sdk/jshelper.js inside; tsc).
# The version is package.json's only, injected into both (-ldflags -X,
# esbuild --define). Installs the npm dev dependencies first when needed.
# Idempotent and quiet: prints nothing on success, rewrites a file only when
# its content changed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
mkdir -p dist

scripts/ensure-npm.sh # esbuild, typescript

# One version, package.json's: load() refuses a redial.wasm of another version.
pkgver=$(node -p 'require("./package.json").version')

# Build to a temp file, then replace only if different (keeps mtimes stable
# for the npm-ci/test staleness checks and for HTTP caches in dev servers).
tmp=$(mktemp -d "${TMPDIR:-/tmp}/redial-build-js.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w -X main.version=$pkgver" -o "$tmp/redial.wasm" ./wasm

install_if_changed() { # src dst
  if ! cmp -s "$1" "$2"; then
    cp "$1" "$2.tmp.$$" && mv -f "$2.tmp.$$" "$2"
  fi
}

install_if_changed "$tmp/redial.wasm" dist/redial.wasm
rm -f dist/wasm_exec.js # index.js bundles it now: drop a copy an older build left
REDIAL_WASM_EXEC="$(go env GOROOT)/lib/wasm/wasm_exec.js" node scripts/bundle.mjs

# The browser build must stay free of net/http (it would more than double
# the download); wasm/deps_test.go checks the same from go test.
if GOOS=js GOARCH=wasm go list -deps ./wasm | grep -qx net/http; then
  echo "build-js: ./wasm links net/http; keep it out of the browser build" >&2
  exit 1
fi
