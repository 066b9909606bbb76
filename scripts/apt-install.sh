#!/usr/bin/env bash
# apt-install.sh NAME PACKAGE...: install Debian packages for the ensure-*
# scripts (NAME prefixes the messages). apt output goes to a log shown only
# on failure. CI starts on a fresh machine; this machine may be running apt
# in another shell right now.
set -euo pipefail

name=$1
shift

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "$name: not root and no sudo; install $* by hand" >&2
    exit 1
  fi
fi

logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT
log="$logdir/apt.log"

# Wait for another apt's locks instead of failing. DPkg::Lock::Timeout
# covers the dpkg locks (install), but apt 2.6's `update` does not wait for
# /var/lib/apt/lists/lock, so retry that one by hand.
APT=(apt-get -o DPkg::Lock::Timeout=300 -o Acquire::Retries=3)
lock_wait=300

fail() {
  echo "$name: $1; log follows:" >&2
  cat "$log" >&2
  exit 1
}

echo "$name: installing $* (apt)..." >&2
deadline=$((SECONDS + lock_wait))
until "${SUDO[@]}" "${APT[@]}" update -qq >"$log" 2>&1; do
  if ! grep -q 'Could not get lock' "$log" || ((SECONDS >= deadline)); then
    fail "apt-get update failed"
  fi
  sleep 3
done
if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y -qq \
     "$@" >>"$log" 2>&1; then
  fail "apt-get install failed"
fi
