#!/usr/bin/env bash
# Builds the browser package into dist/: redial.wasm (the Go SDK for
# GOOS=js GOARCH=wasm), Go's matching wasm_exec.js, and the hand-written
# ES module + types from js/. Idempotent and quiet: prints nothing on success,
# rewrites a file only when its content changed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
mkdir -p dist

# One version everywhere: load() refuses a redial.wasm of another version.
pkgver=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' package.json)
if ! grep -qx "const VERSION = \"$pkgver\";" js/index.js || ! grep -qx "const version = \"$pkgver\"" wasm/main.go; then
  echo "build-js: package.json is version $pkgver; set the same in js/index.js (VERSION) and wasm/main.go (version)" >&2
  exit 1
fi

# Build to a temp file, then replace only if different (keeps mtimes stable
# for the npm-ci/test staleness checks and for HTTP caches in dev servers).
tmp=$(mktemp -d "${TMPDIR:-/tmp}/redial-build-js.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w" -o "$tmp/redial.wasm" ./wasm

install_if_changed() { # src dst
  if ! cmp -s "$1" "$2"; then
    cp "$1" "$2.tmp.$$" && mv -f "$2.tmp.$$" "$2"
  fi
}

install_if_changed "$tmp/redial.wasm" dist/redial.wasm
install_if_changed "$(go env GOROOT)/lib/wasm/wasm_exec.js" dist/wasm_exec.js
install_if_changed js/index.js dist/index.js
install_if_changed js/index.d.ts dist/index.d.ts

# The browser build must stay free of net/http (it would more than double
# the download); wasm/deps_test.go checks the same from go test.
if GOOS=js GOARCH=wasm go list -deps ./wasm | grep -qx net/http; then
  echo "build-js: ./wasm links net/http; keep it out of the browser build" >&2
  exit 1
fi
