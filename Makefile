# redial: two commands for a fresh clone, `make demo` and `make test`.
# Every install step lives in scripts/ and is idempotent and quiet.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
GO ?= go
# The Go release every build and test uses: go1.26.8 (this machine's) has
# standard-library vulnerabilities that govulncheck reports (net/http,
# crypto/tls, crypto/x509; fixed in go1.26.9 and .10). The go command fetches
# this toolchain from the module proxy once (~76 MB, a few seconds).
export GOTOOLCHAIN := go1.26.10
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: test lint lint-ts test-native test-fuzz fuzz test-browser-go test-browser-go-stream test-js test-js-stream test-bundlers test-node test-demo size wasm demo bench screenshot soak test-soak

## test: everything CI runs — lint, native + race, fuzz briefly, a 20 s resume soak, Go in Chromium,
## JS in Chromium (and in a worker, from bundlers, under Node), size.
test: lint test-native test-fuzz test-soak wasm size test-browser-go test-js test-bundlers test-node test-demo
	@echo "make test: all green"

STATICCHECK_VERSION := v0.8.2
STATICCHECK := .bin/staticcheck-$(STATICCHECK_VERSION)

## lint: gofmt, go vet, staticcheck and govulncheck, natively and for GOOS=js GOARCH=wasm; tsc --strict on js/ and on a consumer of the types.
lint: $(STATICCHECK) lint-ts
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*')); \
	  if [[ -n "$$unformatted" ]]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./sdk/... ./wasm/...
	$(STATICCHECK) ./...
	cd bench && $(GO) vet ./... && ../$(STATICCHECK) ./...
	GOOS=js GOARCH=wasm $(STATICCHECK) ./sdk/... ./wasm/...
	@scripts/govulncheck.sh

## lint-ts: tsc --noEmit --strict on the sources (js/*.ts), then dist/*.d.ts written from
## them and test/types/consumer.ts (RedialSocket wherever a WebSocket is expected) checked against it.
lint-ts:
	@scripts/ensure-npm.sh
	node_modules/.bin/tsc -p js/tsconfig.json --noEmit --strict
	@node scripts/bundle.mjs --types-only
	node_modules/.bin/tsc -p test/types/tsconfig.json --noEmit --strict

# A pinned staticcheck, built once into .bin (the file name carries the version).
$(STATICCHECK):
	@mkdir -p .bin/tmp
	@GOBIN=$(CURDIR)/.bin/tmp $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	@mv .bin/tmp/staticcheck $@

## soak: resume mode under random faults (RST/FIN cuts, freeze/thaw, a slow path) through the
## fault proxy, 50 native clients, exactly once checked on every message; a one-screen summary.
SOAK ?= 60s
soak:
	REDIAL_SOAK=$(SOAK) $(GO) test -count=1 -v -run '^TestSoak$$' ./test/soak

## test-soak: the soak for 20 s (part of make test).
test-soak:
	@$(MAKE) --no-print-directory soak SOAK=20s

## test-native: every Go test natively, with the race detector (server/redisstore's
## start their own redis-server from Debian's package, installed here if missing).
test-native:
	@scripts/ensure-redis.sh
	$(GO) test -race -count=1 ./...

## fuzz: every fuzz target in the module for FUZZTIME each (go test -fuzz takes one target per run).
FUZZTIME ?= 30s
fuzz:
	@$(GO) test -list '^Fuzz' ./... | awk '/^Fuzz/ { f[n++] = $$1 } /^ok/ { for (i = 0; i < n; i++) print $$2, f[i]; n = 0 }' | \
	  while read -r pkg target; do \
	    echo "fuzz $$pkg $$target for $(FUZZTIME)"; \
	    $(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) "$$pkg"; \
	  done

## test-fuzz: each fuzz target for 5,000 inputs, 0.1-7 s (their seed corpora also run in test-native).
# A count, not a duration: with a duration, go1.26's fuzz coordinator can fail a
# target with a bare "context deadline exceeded" at the deadline on a loaded
# machine (golang/go#75804, fixed in go1.27), with nothing found.
test-fuzz:
	@$(MAKE) --no-print-directory fuzz FUZZTIME=5000x

## wasm: dist/redial.wasm and the JS package (dist/index.js with Go's wasm_exec.js inside, dist/*.d.ts).
wasm:
	@scripts/build-js.sh

## size: the wasm's raw/gzip/brotli size beside a hello-world built the same way.
size: wasm
	@MAX_GZIP_RATIO=1.5 scripts/wasm-size.sh dist/redial.wasm

## test-browser-go: the conformance suite compiled to wasm, in headless Chromium.
test-browser-go:
	@REDIAL_TESTSERVER=1 scripts/test-browser-go.sh -count=1 ./test/conformance
	@scripts/test-browser-go.sh -count=1 -run 'PanicIs' ./sdk

## test-browser-go-stream: the conformance suite again, every Conn over the opt-in WebSocketStream
## transport (sdk.Options.WebSocketStream). Not part of make test: Chromium drops the unread tail
## at a server close (5 scenarios fail) and its renderer crashes in drop-while-writing ones.
test-browser-go-stream:
	@REDIAL_BROWSER_TRANSPORT=stream REDIAL_TESTSERVER=1 scripts/test-browser-go.sh -count=1 ./test/conformance

## test-js-stream: the JS suites with every RedialSocket over WebSocketStream (webSocketStream: true).
## Not part of make test, for the same reasons (closerace and resume fail).
test-js-stream: wasm
	@scripts/ensure-chromium.sh
	@scripts/ensure-npm.sh
	REDIAL_JS_TRANSPORT=stream node --test test/js/

## test-js: the redial-ws package in headless Chromium (playwright-core).
test-js: wasm
	@scripts/ensure-chromium.sh
	@scripts/ensure-npm.sh
	node --test test/js/

## test-bundlers: the npm pack tarball in an app built by Vite, esbuild and webpack 5 (each pinned in
## test/bundlers/<tool>/package-lock.json), run in Chromium: open, echo, reconnect after a drop.
test-bundlers: wasm
	@scripts/ensure-chromium.sh
	@scripts/ensure-npm.sh
	@scripts/ensure-bundlers.sh
	node --test test/bundlers/

## test-node: the npm pack tarball under this Node (20: with the ws package; the global WebSocket
## behind --experimental-websocket), through a drop and a reconnect.
test-node: wasm
	@scripts/ensure-npm.sh
	node --test test/node/

## test-demo: the demo page in headless Chromium, every fault button, as a user would.
test-demo: wasm
	@scripts/ensure-chromium.sh
	@scripts/ensure-npm.sh
	node --test test/demo/

## screenshot: refresh docs/demo.png, the README's screenshot.
screenshot: wasm
	@scripts/ensure-chromium.sh
	@scripts/ensure-npm.sh
	REDIAL_UPDATE_SCREENSHOT=1 node --test test/demo/

## demo: build the wasm, the shim and the demo server, then serve it (Ctrl-C stops).
demo: wasm
	@mkdir -p .bin
	$(GO) build -o .bin/redial-demo ./demo/server
	@exec .bin/redial-demo -web demo/web -dist dist

## bench: every bench/run.d/NN-name.sh in order (scripts/bench.sh), then BENCHMARKS.md from
## bench/out/ (plots into docs/bench/). BENCH_ONLY=20,30 reruns some pieces; BENCH_ONLY=none only
## rebuilds the file. Not part of make test: speed is measured here, never asserted in tests.
bench:
	@scripts/bench.sh
