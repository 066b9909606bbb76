#!/usr/bin/env bash
# npm's postpack: puts back the repo README that scripts/prepack.sh set aside.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -s .cache/README.repo.md ]]; then
  mv -f .cache/README.repo.md README.md
fi
