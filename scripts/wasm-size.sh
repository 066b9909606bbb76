#!/usr/bin/env bash
# Size budget for the browser build: compares WASM_FILE's raw/gzip/brotli size
# with a hello-world Go wasm built by the same toolchain, and fails when our gzip
# size exceeds MAX_GZIP_RATIO (default 1.5) times hello-world's. Usage: scripts/wasm-size.sh WASM_FILE
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 WASM_FILE" >&2
  exit 2
fi
wasm=$1
if [[ ! -f $wasm ]]; then
  echo "wasm-size: $wasm: no such file" >&2
  exit 2
fi
max_ratio=${MAX_GZIP_RATIO:-1.5}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache="$root/.cache/wasm-size"
build_flags=(-trimpath -ldflags=-s\ -w)

# The hello-world baseline (and its sizes) only changes with the toolchain.
key=$(env -u GOOS -u GOARCH go version | tr -c 'A-Za-z0-9._-' '_' | sed 's/_*$//')
hello="$cache/hello-fmt-$key.wasm"
hello_sizes="$cache/hello-fmt-$key.sizes"

# gzip -9 and brotli (quality 11) sizes of FILE..., one "raw gzip brotli" line each.
sizes() {
  local f raw gz
  local -a br=()
  if command -v node >/dev/null 2>&1; then
    mapfile -t br < <(node -e '
      const zlib = require("zlib"), fs = require("fs");
      for (const f of process.argv.slice(1)) {
        const b = fs.readFileSync(f);
        console.log(zlib.brotliCompressSync(b, { params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: b.length,
        } }).length);
      }' "$@")
  fi
  local i=0
  for f in "$@"; do
    raw=$(wc -c <"$f")
    gz=$(gzip -9 -n -c "$f" | wc -c)
    echo "$raw $gz ${br[i]:--}"
    i=$((i + 1))
  done
}

if [[ ! -s $hello || ! -s $hello_sizes ]]; then
  mkdir -p "$cache"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  printf 'module hello\n\ngo 1.21\n' >"$tmp/go.mod"
  # The canonical hello-world (fmt.Println), the baseline the size budget is
  # set against (724 KB gzip with Go 1.26.8); a println-only program would leave out fmt,
  # which any program using safejs links anyway.
  printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("Hello, world!") }\n' >"$tmp/main.go"
  (cd "$tmp" && GOOS=js GOARCH=wasm go build "${build_flags[@]}" -o hello.wasm .)
  sizes "$tmp/hello.wasm" >"$tmp/hello.sizes"
  mv "$tmp/hello.wasm" "$hello"
  mv "$tmp/hello.sizes" "$hello_sizes"
fi

read -r h_raw h_gz h_br <"$hello_sizes"
# Brotli at quality 11 takes seconds: remember the last measured file by content hash.
sha=$(sha256sum "$wasm" | cut -c1-16)
wasm_sizes="$cache/file-$sha.sizes"
if [[ ! -s $wasm_sizes ]]; then
  mkdir -p "$cache"
  sizes "$wasm" >"$wasm_sizes.tmp.$$"
  rm -f "$cache"/file-*.sizes
  mv "$wasm_sizes.tmp.$$" "$wasm_sizes"
fi
read -r w_raw w_gz w_br <"$wasm_sizes"

# 1 KB = 1024 B, 1 MB = 1024 KB.
human() {
  awk -v n="$1" 'BEGIN {
    if (n == "-") { print "-"; exit }
    if (n >= 1048576) printf "%.2f MB\n", n / 1048576
    else if (n >= 1024) printf "%d KB\n", int(n / 1024 + 0.5)
    else printf "%d B\n", n
  }'
}

ratio=$(awk -v a="$w_gz" -v b="$h_gz" 'BEGIN { printf "%.2f", a / b }')
name=$(basename "$wasm")
w=$(( ${#name} > 17 ? ${#name} : 17 ))

printf "%-${w}s %10s  %10s  %9s\n" "wasm size" raw gzip brotli
printf "%-${w}s %10s  %10s  %9s\n" "hello-world (fmt)" "$(human "$h_raw")" "$(human "$h_gz")" "$(human "$h_br")"
printf "%-${w}s %10s  %10s  %9s   (gzip %sx hello-world)\n" "$name" "$(human "$w_raw")" "$(human "$w_gz")" "$(human "$w_br")" "$ratio"

if awk -v a="$w_gz" -v b="$h_gz" -v m="$max_ratio" 'BEGIN { exit !(a / b > m) }'; then
  echo "wasm-size: $name gzip size is ${ratio}x hello-world's, over MAX_GZIP_RATIO=$max_ratio" >&2
  exit 1
fi
