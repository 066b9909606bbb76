#!/usr/bin/env bash
# Browser tests (wasmbrowsertest, playwright-core) need Debian's Chromium and
# chromedriver; CI starts on a fresh machine, so install them on demand.
# Silent when both are already present; apt output goes to a log shown only on failure.
set -euo pipefail

if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
  exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "ensure-chromium: not root and no sudo; install chromium chromium-driver by hand" >&2
    exit 1
  fi
fi

logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT
log="$logdir/apt.log"

# Another shell may be running apt right now: wait for its locks instead of
# failing. DPkg::Lock::Timeout covers the dpkg locks (install), but apt 2.6's
# `update` does not wait for /var/lib/apt/lists/lock, so retry that one by hand.
APT=(apt-get -o DPkg::Lock::Timeout=300 -o Acquire::Retries=3)
lock_wait=300

fail() {
  echo "ensure-chromium: $1; log follows:" >&2
  cat "$log" >&2
  exit 1
}

echo "ensure-chromium: installing chromium + chromium-driver (apt)..." >&2
deadline=$((SECONDS + lock_wait))
until "${SUDO[@]}" "${APT[@]}" update -qq >"$log" 2>&1; do
  if ! grep -q 'Could not get lock' "$log" || ((SECONDS >= deadline)); then
    fail "apt-get update failed"
  fi
  sleep 3
done
if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y -qq \
     chromium chromium-driver >>"$log" 2>&1; then
  fail "apt-get install failed"
fi

if [[ ! -x /usr/bin/chromium || ! -x /usr/bin/chromedriver ]]; then
  fail "apt-get succeeded but /usr/bin/chromium or /usr/bin/chromedriver is missing"
fi
