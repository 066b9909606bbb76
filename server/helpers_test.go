package server_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/redial-ws/redial/internal/testserver"
	"github.com/redial-ws/redial/server"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fixture is a server.Server on loopback behind the fault proxy.
type fixture struct {
	srv   *server.Server
	http  *httptest.Server
	proxy *testserver.Proxy
}

// resumeURL is the proxied URL a resume client dials.
func (f *fixture) resumeURL() string {
	return "ws://" + f.proxy.Addr() + "/?" + server.QueryParam + "=1"
}

// plainURL is the direct URL of a plain client.
func (f *fixture) plainURL() string { return "ws" + strings.TrimPrefix(f.http.URL, "http") + "/" }

func start(t *testing.T, opts *server.Options, h func(context.Context, *server.Session)) *fixture {
	t.Helper()
	f := &fixture{srv: server.New(opts, h)}
	f.http = httptest.NewServer(f.srv)
	p, err := testserver.StartProxy(strings.TrimPrefix(f.http.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	f.proxy = p
	t.Cleanup(func() {
		p.Close()
		_ = f.srv.Close()
		f.http.CloseClientConnections()
		f.http.Close()
	})
	return f
}

func testCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func dialWS(t *testing.T, ctx context.Context, url string) *websocket.Conn {
	t.Helper()
	ws, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ws.CloseNow() })
	return ws
}
