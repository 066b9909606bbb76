#!/usr/bin/env bash
# Runs Go tests built for GOOS=js GOARCH=wasm in headless Chromium (wasmbrowsertest as
# go_js_wasm_exec), so the wasm SDK meets the browser's real WebSocket. The environment reaches the
# test's os.Getenv; REDIAL_TESTSERVER=1 starts the testserver and sets REDIAL_TEST_WS/_CONTROL.
#
# Usage: scripts/test-browser-go.sh [go test flags] PKG...   (exit status is go test's)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [[ $# -eq 0 ]]; then
  echo "usage: $0 [go test flags] PKG..." >&2
  exit 2
fi

"$root/scripts/ensure-chromium.sh"
"$root/scripts/ensure-wasmbrowsertest.sh"

# wasmbrowsertest/chromedp leave chromedp-runner* profile dirs in TMPDIR (and
# Chromium writes under XDG_CONFIG_HOME): confine them to a dir we delete.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/redial-browser-test.XXXXXX")
server_pid=""

# shellcheck disable=SC2317 # invoked by trap
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ ${REDIAL_TESTSERVER:-} == 1 ]]; then
  # Build first (host GOOS/GOARCH) so the pid we kill is the server itself,
  # not a `go run` parent that may leave its child behind.
  (cd "$root" && env -u GOOS -u GOARCH go build -o "$scratch/testserver" ./internal/testserver/cmd/testserver)
  # The server exits on stdin EOF: feed it a FIFO we hold open until exit
  # (CI runs with no stdin, which would stop it at once).
  mkfifo "$scratch/testserver.in"
  "$scratch/testserver" <"$scratch/testserver.in" >"$scratch/testserver.out" 2>"$scratch/testserver.err" &
  server_pid=$!
  # shellcheck disable=SC2034 # the fd only has to stay open
  exec {server_stdin}>"$scratch/testserver.in"

  line=""
  for _ in $(seq 1 150); do # up to ~30s
    if [[ -s $scratch/testserver.out ]]; then
      line=$(head -n 1 "$scratch/testserver.out")
      [[ $line == *'}'* ]] && break
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      break
    fi
    sleep 0.2
  done
  ws=$(sed -n 's/.*"ws"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' <<<"$line")
  control=$(sed -n 's/.*"control"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' <<<"$line")
  if [[ -z $ws || -z $control ]]; then
    echo "test-browser-go: testserver did not print {\"ws\":...,\"control\":...}; got: ${line:-<nothing>}" >&2
    cat "$scratch/testserver.err" >&2 || true
    exit 1
  fi
  export REDIAL_TEST_WS=$ws REDIAL_TEST_CONTROL=$control
fi

mkdir -p "$scratch/tmp" "$scratch/config"

# chromedp logs harmless "could not unmarshal event" lines for CDP events it
# does not know; drop them but keep go test's exit status.
set +e +o pipefail
PATH="$root/.bin:$PATH" GOOS=js GOARCH=wasm \
  TMPDIR="$scratch/tmp" XDG_CONFIG_HOME="$scratch/config" \
  go test "$@" 2>&1 | grep --line-buffered -v 'could not unmarshal event'
status=${PIPESTATUS[0]}
set -e -o pipefail
if [[ $status -ne 0 && -s ${scratch}/testserver.err ]]; then
  echo "--- testserver stderr (last 50 lines) ---" >&2
  tail -n 50 "$scratch/testserver.err" >&2
fi
exit "$status"
