#!/usr/bin/env bash
# Browser tests (wasmbrowsertest, playwright-core) need Debian's Chromium and
# chromedriver; CI starts on a fresh machine, so install them on demand.
# Silent when both are already present; apt output goes to a log shown only on failure.
set -euo pipefail

if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
  exit 0
fi

"$(dirname "$0")/apt-install.sh" ensure-chromium chromium chromium-driver
if [[ ! -x /usr/bin/chromium || ! -x /usr/bin/chromedriver ]]; then
  echo "ensure-chromium: apt-get succeeded but /usr/bin/chromium or /usr/bin/chromedriver is missing" >&2
  exit 1
fi
