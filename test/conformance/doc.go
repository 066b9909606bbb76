// Package conformance is redial's cross-platform conformance suite: one set
// of scenarios, written once against the public sdk API, run natively
// (go test -race ./test/conformance) and compiled to GOOS=js GOARCH=wasm in
// headless Chromium (REDIAL_TESTSERVER=1 scripts/test-browser-go.sh
// ./test/conformance), where the browser's own WebSocket is the transport.
//
// Every scenario drives faults the same way on both platforms: through the
// testserver's HTTP control API (internal/testserver). Natively each test
// starts its own in-process server; in the browser all tests share the one
// external server named by REDIAL_TEST_WS and REDIAL_TEST_CONTROL, which
// each test resets first (tests run serially). A scenario the browser
// cannot run (it cannot see a handshake's HTTP status, cannot ping) is
// skipped there with the reason in its skip message.
//
// scripts/test-conformance.sh runs both and prints a PASS/SKIP summary.
package conformance
