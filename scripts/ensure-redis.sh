#!/usr/bin/env bash
# The Redis store's tests (server/redisstore) start Debian's redis-server
# themselves on a free loopback port; CI starts on a fresh machine, so
# install it on demand. Silent when present. The package's own service is
# not used (no init in CI containers).
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
"$(dirname "$0")/apt-install.sh" ensure-redis redis-server
if ! command -v redis-server >/dev/null 2>&1; then
  echo "ensure-redis: apt-get succeeded but redis-server is not on PATH" >&2
  exit 1
fi
