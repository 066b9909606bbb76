#!/usr/bin/env bash
# npm's prepack (npm pack, npm publish): builds dist/ (make wasm: Go and the
# npm dev dependencies needed), or fails loudly, so that a fresh clone never
# packs an empty package; then puts the npm README (js/README.md) at the
# package root, where npm takes the README from (it always ships the root
# README, whatever `files` says). scripts/postpack.sh puts the repo's back.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

fail() {
  echo "prepack: $*" >&2
  exit 1
}

command -v go >/dev/null || fail "building redial.wasm needs Go (go.mod's version or later) on PATH"
command -v make >/dev/null || fail "building needs make (it runs 'make wasm')"
make --no-print-directory -s wasm || fail "'make wasm' failed: nothing packed"
for f in dist/index.js dist/index.d.ts dist/redial.wasm js/README.md LICENSE; do
  [[ -s $f ]] || fail "$f is missing after the build"
done

# Keep the repo README aside; a pack that died before postpack left the
# npm one in place: then the copy kept aside is still the repo's.
mkdir -p .cache
if ! cmp -s README.md js/README.md; then
  cp README.md .cache/README.repo.md
fi
[[ -s .cache/README.repo.md ]] || fail "README.md is the npm README and no repo README was kept aside: git checkout README.md"
cp js/README.md README.md
