#!/usr/bin/env bash
# govulncheck against a pinned, offline copy of the Go vulnerability database.
# vuln.go.dev is not reachable from CI; the database's source, golang.org/x/vulndb,
# is served by the module proxy, so its OSV files are indexed here once per
# machine (cached in .cache/, ~1 min the first time) and checked with -db file://.
# Bump VULNDB to refresh the database. Quiet on success but for govulncheck's verdict.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

GOVULNCHECK=v1.9.0
VULNDB=v0.0.0-20261105234957-e22db6528018

bin=$PWD/.bin
db=$PWD/.cache/vulndb-$VULNDB
gv=$bin/govulncheck-$GOVULNCHECK
idx=$bin/indexdb-$VULNDB

build() { # tool-path package@version
  [[ -x $1 ]] && return
  mkdir -p "$bin/tmp"
  GOBIN=$bin/tmp go install "$2"
  mv "$bin/tmp/$(basename "${2%@*}")" "$1"
}
build "$gv" "golang.org/x/vuln/cmd/govulncheck@$GOVULNCHECK"

if [[ ! -f $db/index/db.json ]]; then
  build "$idx" "golang.org/x/vulndb/cmd/indexdb@$VULNDB"
  src=$(go mod download -json "golang.org/x/vulndb@$VULNDB" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  rm -rf "$db.tmp" && mkdir -p "$(dirname "$db")"
  "$idx" -vulns "$src/data/osv" -out "$db.tmp" >/dev/null
  mv "$db.tmp" "$db"
fi

"$gv" -db "file://$db" ./...
GOOS=js GOARCH=wasm "$gv" -db "file://$db" ./sdk/... ./wasm/...
