package conformance_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redial-ws/redial/internal/sdktest"
	"github.com/redial-ws/redial/sdk"
)

// inBrowser: the test binary runs as wasm in Chromium, over the browser's
// WebSocket.
const inBrowser = runtime.GOOS == "js"

// skipInBrowser skips a scenario the browser cannot run, saying why.
func skipInBrowser(t *testing.T, why string) {
	t.Helper()
	if inBrowser {
		t.Skip("browser: " + why)
	}
}

// skipHandshakeStatus is the one reason shared by every scenario about the
// HTTP status of a refused handshake.
func skipHandshakeStatus(t *testing.T) {
	t.Helper()
	skipInBrowser(t, "the handshake's HTTP status never reaches JS (see sdk/doc.go)")
}

// fixture is one scenario's server: a WebSocket base URL and a client for
// the testserver's HTTP control API.
type fixture struct {
	t    *testing.T
	ws   string // ws://127.0.0.1:P
	ctrl string // http://127.0.0.1:C
	hc   *http.Client
}

// newFixture gives the test a server that looks fresh. Natively (no
// REDIAL_TEST_WS) it is a new in-process testserver; in the browser it is
// the runner's shared one, brought back up, emptied of live connections
// and reset (received messages, Accepted, last upgrade, and the per-path
// /closefirst and /statusfirst counters). Tests run serially, so a reset
// per test is all the isolation the shared server needs.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ws, ctrl := os.Getenv("REDIAL_TEST_WS"), os.Getenv("REDIAL_TEST_CONTROL")
	if ws == "" || ctrl == "" {
		ws, ctrl = startLocalServer(t)
	}
	f := &fixture{
		t:    t,
		ws:   strings.TrimRight(ws, "/"),
		ctrl: strings.TrimRight(ctrl, "/"),
		// No keep-alive: natively a pooled connection would outlive the
		// test's server and show up in goleak. Under js this is fetch.
		hc: &http.Client{
			Transport: &http.Transport{DisableKeepAlives: true},
			Timeout:   testTimeout + 5*time.Second,
		},
	}
	// Registered before any Conn's cleanup, so it runs after them (LIFO):
	// a test that failed while the port was stopped leaves it up.
	t.Cleanup(func() {
		_ = f.try("/restart", nil)
		f.hc.CloseIdleConnections()
	})
	f.call("/restart", nil)
	f.call("/drop", nil)
	f.waitLive(0)
	f.call("/reset", nil)
	return f
}

// url is the WebSocket URL of path (with its query) on the faultable port.
func (f *fixture) url(pathAndQuery string) string { return f.ws + pathAndQuery }

// try calls a control endpoint; safe from any goroutine (it never fails
// the test itself).
func (f *fixture) try(path string, q url.Values) error {
	_, err := f.get(path, q)
	return err
}

func (f *fixture) get(path string, q url.Values) ([]byte, error) {
	u := f.ctrl + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout+5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := f.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("control %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("control %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("control %s: HTTP %d: %s", path, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return body, nil
}

// call is try for the test goroutine: a failure fails the test.
func (f *fixture) call(path string, q url.Values) []byte {
	f.t.Helper()
	b, err := f.get(path, q)
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

func (f *fixture) callJSON(path string, q url.Values, v any) {
	f.t.Helper()
	if err := json.Unmarshal(f.call(path, q), v); err != nil {
		f.t.Fatalf("control %s: %v", path, err)
	}
}

// drop cuts every live connection with no close frame (client sees 1006).
func (f *fixture) drop() { f.t.Helper(); f.call("/drop", nil) }

// stop takes the WebSocket port down (connects refused) and cuts every
// connection; restart brings it back on the same port.
func (f *fixture) stop()    { f.t.Helper(); f.call("/stop", nil) }
func (f *fixture) restart() { f.t.Helper(); f.call("/restart", nil) }

// closeAll runs the close handshake with code and reason on every live
// connection.
func (f *fixture) closeAll(code sdk.StatusCode, reason string) {
	f.t.Helper()
	f.call("/closeall", url.Values{"code": {strconv.Itoa(int(code))}, "reason": {reason}})
}

// accepted is the number of successful upgrades since the fixture began.
func (f *fixture) accepted() int {
	f.t.Helper()
	var n int
	f.callJSON("/accepted", nil, &n)
	return n
}

// received is every text message the server received on path, in order.
func (f *fixture) received(path string) []string {
	f.t.Helper()
	var msgs []string
	f.callJSON("/received", url.Values{"path": {path}}, &msgs)
	return msgs
}

// upgrade mirrors testserver.Upgrade (JSON with Go field names).
type upgrade struct {
	Method, Path, Upgrade, Connection, Key, Version string
	Protocols                                       []string
	Accept                                          string
	Header                                          map[string][]string
	RawQuery                                        string
}

func (f *fixture) lastUpgrade() upgrade {
	f.t.Helper()
	var u upgrade
	f.callJSON("/lastupgrade", nil, &u)
	return u
}

func (f *fixture) wait(path string, q url.Values) {
	f.t.Helper()
	if q == nil {
		q = url.Values{}
	}
	q.Set("timeout", strconv.Itoa(int(testTimeout/time.Millisecond)))
	f.call(path, q)
}

// waitLive blocks until exactly n connections are live on the server.
func (f *fixture) waitLive(n int) {
	f.t.Helper()
	f.wait("/waitlive", url.Values{"n": {strconv.Itoa(n)}})
}

// waitReceived blocks until the server received at least n text messages
// on path.
func (f *fixture) waitReceived(path string, n int) {
	f.t.Helper()
	f.wait("/waitreceived", url.Values{"path": {path}, "n": {strconv.Itoa(n)}})
}

// ---- client side helpers ----

// steady is fast with a fixed 20 ms wait, for scenarios that keep the
// port down for a while: a browser gets a modest retry rate.
func steady(o *sdk.Options) *sdk.Options {
	o = fast(o)
	o.Backoff = sdk.Backoff{Initial: 20 * time.Millisecond, Max: 20 * time.Millisecond, NoJitter: true}
	return o
}

// The shared client-side helpers (internal/sdktest), by their local names.
var (
	ctxT        = sdktest.Ctx
	fast        = sdktest.Fast
	newRecorder = sdktest.NewRecorder
	to          = sdktest.To
	dial        = sdktest.Dial
	echo        = sdktest.Echo
	wantClose   = sdktest.WantClose
)

const testTimeout = sdktest.Timeout

var toAny = sdktest.ToAny
