//go:build !js

package sdk_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/redial-ws/redial/internal/fakeclock"
	"github.com/redial-ws/redial/internal/resumewire"
	"github.com/redial-ws/redial/internal/sdkhooks"
	"github.com/redial-ws/redial/internal/testserver"
	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
)

// swapServer is one address whose handler can be replaced: a server
// process restarted (without its store) behind the same proxy.
type swapServer struct {
	cur   atomic.Pointer[http.Handler]
	proxy *testserver.Proxy
	url   string
}

func (s *swapServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(*s.cur.Load()).ServeHTTP(w, r)
}

func (s *swapServer) set(h http.Handler) { s.cur.Store(&h) }

func startSwap(t *testing.T, h http.Handler) *swapServer {
	t.Helper()
	s := &swapServer{}
	s.set(h)
	hs := httptest.NewServer(s)
	p, err := testserver.StartProxy(strings.TrimPrefix(hs.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	s.proxy, s.url = p, "ws://"+p.Addr()+"/"
	t.Cleanup(func() {
		p.Close()
		hs.CloseClientConnections()
		hs.Close()
	})
	return s
}

// echoSession echoes every message of its session.
func echoSession(ctx context.Context, s *server.Session) {
	for {
		typ, p, err := s.Read(ctx)
		if err != nil || s.Write(ctx, typ, p) != nil {
			return
		}
	}
}

// wantSessionLost checks that Read ends the Conn with ErrSessionLost (and
// ErrClosed), and that a Write then fails too.
func wantSessionLost(t *testing.T, c *sdk.Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, p, err := c.Read(ctx)
	if !errors.Is(err, sdk.ErrSessionLost) || !errors.Is(err, sdk.ErrClosed) {
		t.Fatalf("Read = %q, %v; want an error matching ErrSessionLost and ErrClosed", p, err)
	}
	var ce *sdk.CloseError
	if !errors.As(err, &ce) || ce.Code != 4504 {
		t.Fatalf("Read's error %v: want a *CloseError with code 4504", err)
	}
	if err := c.Write(ctx, sdk.MessageText, []byte("x")); !errors.Is(err, sdk.ErrSessionLost) {
		t.Fatalf("Write after the loss = %v; want ErrSessionLost", err)
	}
}

// TestResumeServerRestartWithoutStore: the server process restarts with a
// fresh in-memory store; the client's resume gets 4504 and the Conn ends
// with ErrSessionLost, never a silent gap.
func TestResumeServerRestartWithoutStore(t *testing.T) {
	srvA := server.New(nil, echoSession)
	defer srvA.Close()
	sw := startSwap(t, srvA)
	c := dial(t, sw.url, fast(&sdk.Options{Resume: true}))
	echo(t, c, "before")
	srvB := server.New(nil, echoSession) // the restarted process: no sessions
	defer srvB.Close()
	sw.set(srvB)
	_ = srvA.Close()
	sw.proxy.Cut()
	wantSessionLost(t, c)
}

// TestResumeSessionExpired: the client stays away longer than the
// server's SessionTTL (both clocks fake); its resume gets 4504:
// ErrSessionLost.
func TestResumeSessionExpired(t *testing.T) {
	ctx := ctxT(t)
	srvClock, cliClock := fakeclock.New(time.Now()), fakeclock.New(time.Now())
	const ttl = time.Minute
	ended := make(chan struct{})
	srv := server.New(&server.Options{SessionTTL: ttl, Clock: srvClock}, func(ctx context.Context, s *server.Session) {
		defer close(ended)
		_, _, _ = s.Read(ctx)
		<-ctx.Done()
	})
	defer srv.Close()
	sw := startSwap(t, srv)
	o := fast(&sdk.Options{Resume: true, Backoff: sdk.Backoff{Initial: time.Second, Max: 2 * time.Second}})
	sdkhooks.Of(o).Clock = cliClock
	rec := newRecorder(o)
	c := dial(t, sw.url, o)
	if err := c.Write(ctx, sdk.MessageText, []byte("one")); err != nil {
		t.Fatal(err)
	}
	rec.Next(t, "open", to(sdk.StateOpen))
	sw.proxy.Cut()
	rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
	// The server's session waits its TTL; let it pass, then the client's backoff.
	if err := srvClock.WaitFor(ctx, ttl); err != nil {
		t.Fatal(err)
	}
	srvClock.Advance(ttl + time.Second)
	select {
	case <-ended:
	case <-ctx.Done():
		t.Fatal("the session did not expire")
	}
	if err := cliClock.WaitTimers(ctx, 1); err != nil {
		t.Fatal(err)
	}
	cliClock.Advance(time.Minute)
	wantSessionLost(t, c)
}

// TestResumeForeignWelcome: a server that answers a resume with another
// session's id, or with a new session, would hand this client someone
// else's stream or a silent gap: the Conn ends with ErrSessionLost and
// no message of that WELCOME's connection reaches the app.
func TestResumeForeignWelcome(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flags byte
		id    byte
	}{{"other id", resumewire.FlagResume, 0xbb}, {"new session", 0, 0xaa}} {
		t.Run(tc.name, func(t *testing.T) {
			sw := rawResume(t, func(ctx context.Context, ws *websocket.Conn, conn int64) {
				wf := resumewire.Frame{Kind: resumewire.KindWelcome, Version: resumewire.Version, AckEvery: 64, AckDelayMS: 50}
				wf.ID[0] = 0xaa
				seq, msg := uint64(1), "mine"
				if conn > 1 { // the resume: a WELCOME that does not continue the session
					wf.Flags, wf.ID[0] = tc.flags, tc.id
					seq, msg = 2, "foreign" // the next seq: accepted, were the WELCOME taken
				}
				_ = ws.Write(ctx, websocket.MessageBinary, resumewire.Append(nil, &wf))
				_ = ws.Write(ctx, websocket.MessageBinary, resumewire.AppendData(nil, resumewire.KindDataText, seq, []byte(msg)))
				_, _, _ = ws.Read(ctx)
			})
			c := dial(t, sw.url, fast(&sdk.Options{Resume: true}))
			ctx := ctxT(t)
			if _, p, err := c.Read(ctx); err != nil || string(p) != "mine" {
				t.Fatalf("own session's message: %q, %v", p, err)
			}
			sw.proxy.Cut()
			wantSessionLost(t, c)
		})
	}
}
