#!/usr/bin/env bash
# Go's js/wasm tests run in headless Chromium through wasmbrowsertest: `go test`
# looks for go_js_wasm_exec on PATH, so install the tool into .bin/ under that
# name too. Quiet (no output) when .bin/ is already set up.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="$root/.bin"
# Pinned so CI is reproducible; bump deliberately (`go list -m github.com/agnivade/wasmbrowsertest@latest`).
version=${WASMBROWSERTEST_VERSION:-v0.11.0}

stamp="$bin/.wasmbrowsertest-version"
if [[ ! -x "$bin/wasmbrowsertest" || "$(cat "$stamp" 2>/dev/null)" != "$version" ]]; then
  mkdir -p "$bin"
  echo "ensure-wasmbrowsertest: installing wasmbrowsertest@$version into .bin/" >&2
  # Host build even if the caller exported GOOS=js GOARCH=wasm; run outside the
  # repo's module so its go.mod can't interfere.
  (cd "$bin" && env -u GOOS -u GOARCH GOBIN="$bin" \
     go install "github.com/agnivade/wasmbrowsertest@$version")
  echo "$version" >"$stamp"
fi

if [[ ! -e "$bin/go_js_wasm_exec" ]]; then
  ln -sf wasmbrowsertest "$bin/go_js_wasm_exec"
fi
