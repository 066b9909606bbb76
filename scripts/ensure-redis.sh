#!/usr/bin/env bash
# The Redis store's tests (server/redisstore) start Debian's redis-server on
# a free loopback port; CI starts on a fresh machine, so install it on demand.
# Silent when present; apt output goes to a log shown only on failure.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "ensure-redis: not root and no sudo; install redis-server by hand" >&2
    exit 1
  fi
fi

logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT
log="$logdir/apt.log"

# Another shell may be running apt right now (ensure-chromium.sh): wait for
# its locks instead of failing. DPkg::Lock::Timeout covers the dpkg locks;
# apt 2.6's `update` does not wait for /var/lib/apt/lists/lock, so retry it.
APT=(apt-get -o DPkg::Lock::Timeout=300 -o Acquire::Retries=3)
lock_wait=300

fail() {
  echo "ensure-redis: $1; log follows:" >&2
  cat "$log" >&2
  exit 1
}

echo "ensure-redis: installing redis-server (apt)..." >&2
deadline=$((SECONDS + lock_wait))
until "${SUDO[@]}" "${APT[@]}" update -qq >"$log" 2>&1; do
  if ! grep -q 'Could not get lock' "$log" || ((SECONDS >= deadline)); then
    fail "apt-get update failed"
  fi
  sleep 3
done
# --no-install-recommends: the server binary is all the tests need. The
# package's service is not started here (no init in CI containers); the
# tests run their own instance.
if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y -qq \
     --no-install-recommends redis-server >>"$log" 2>&1; then
  fail "apt-get install failed"
fi

if ! command -v redis-server >/dev/null 2>&1; then
  fail "apt-get succeeded but redis-server is not on PATH"
fi
