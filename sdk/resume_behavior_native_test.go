//go:build !js

package sdk_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
)

// flakyStore is the default MemoryStore with an outage switch: while down,
// Claim and Touch fail (a Redis that does not answer), so a resume gets
// close 4013 and the record is kept.
type flakyStore struct {
	server.Store
	down atomic.Bool
}

var errOutage = errors.New("store outage (test)")

func (s *flakyStore) Claim(ctx context.Context, id string, ttl time.Duration) (server.Record, error) {
	if s.down.Load() {
		return server.Record{}, errOutage
	}
	return s.Store.Claim(ctx, id, ttl)
}

func (s *flakyStore) Touch(ctx context.Context, id string, epoch uint64, ttl time.Duration) error {
	if s.down.Load() {
		return errOutage
	}
	return s.Store.Touch(ctx, id, epoch, ttl)
}

// TestResumeStoreUnavailableRetries: 4013 (store unavailable) is retried
// with backoff and the session is kept: once the store answers, the
// client resumes, and what it wrote during the outage arrives once.
func TestResumeStoreUnavailableRetries(t *testing.T) {
	store := &flakyStore{Store: server.NewMemoryStore(nil)}
	srv := server.New(&server.Options{Store: store}, echoSession)
	defer srv.Close()
	sw := startSwap(t, srv)
	o := fast(&sdk.Options{Resume: true})
	rec := newRecorder(o)
	c := dial(t, sw.url, o)
	echo(t, c, "before")
	store.down.Store(true)
	sw.proxy.Cut()
	for seen := 0; seen < 2; { // two refusals in a row, each retried
		e := rec.Next(t, "a 4013 refusal", to(sdk.StateReconnecting))
		if e.Close != nil && e.Close.Code == 4013 {
			seen++
		}
	}
	ctx := ctxT(t)
	if err := c.Write(ctx, sdk.MessageText, []byte("during")); err != nil {
		t.Fatal(err)
	}
	store.down.Store(false)
	_, p, err := c.Read(ctx)
	if err != nil || string(p) != "during" {
		t.Fatalf("Read = %q, %v; want the message written during the outage", p, err)
	}
	echo(t, c, "after")
}

// TestResumeBackpressure: the send queue is the window of what the server
// has not acknowledged. Open and full (a handler that does not read, so
// nothing is acknowledged), Write waits until its ctx ends; down and full,
// ErrQueueFull at once; Close reports the unacknowledged as unsent.
func TestResumeBackpressure(t *testing.T) {
	release := make(chan struct{})
	srv := server.New(nil, func(ctx context.Context, s *server.Session) {
		select { // read nothing: acknowledge nothing
		case <-release:
		case <-ctx.Done():
		}
	})
	defer srv.Close()
	defer close(release)
	sw := startSwap(t, srv)
	o := fast(&sdk.Options{Resume: true, MaxQueued: 4})
	rec := newRecorder(o)
	c, err := sdk.Dial(ctxT(t), sw.url, o)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if err := c.Write(ctxT(t), sdk.MessageText, []byte{'a' + byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	short, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := c.Write(short, sdk.MessageText, []byte("e")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Write on a full window while open = %v; want it to wait until ctx ends", err)
	}
	if got := c.BufferedAmount(); got != 4 {
		t.Fatalf("BufferedAmount = %d; want the 4 unacknowledged bytes", got)
	}
	sw.set(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) }))
	sw.proxy.Cut()
	rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
	if err := c.Write(ctxT(t), sdk.MessageText, []byte("e")); !errors.Is(err, sdk.ErrQueueFull) {
		t.Fatalf("Write on a full window while down = %v; want ErrQueueFull", err)
	}
	var ue *sdk.UnsentError
	if err := c.Close(sdk.StatusNormalClosure, ""); !errors.As(err, &ue) || ue.Messages != 4 {
		t.Fatalf("Close = %v; want *UnsentError{4}", err)
	}
}

// TestResumeNoWelcomeTimesOut: a server that does not speak resume (a
// plain WebSocket that ignores HELLO) never answers WELCOME: the attempt
// fails at DialTimeout, a *DialError that unwraps to DeadlineExceeded.
func TestResumeNoWelcomeTimesOut(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		for {
			if _, _, err := ws.Read(r.Context()); err != nil {
				return
			}
		}
	}))
	defer hs.Close()
	o := fast(&sdk.Options{Resume: true, DialTimeout: 200 * time.Millisecond, MaxRetries: 1})
	_, err := sdk.Dial(ctxT(t), "ws"+strings.TrimPrefix(hs.URL, "http"), o)
	var de *sdk.DialError
	if !errors.As(err, &de) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Dial = %v; want a *DialError matching DeadlineExceeded", err)
	}
}

// TestResumeStallDetected: in resume mode the heartbeat is the protocol's
// PING/PONG. A frozen path (TCP up, nothing moving) is declared dead
// (ErrHeartbeatTimeout), the client reconnects, and the session goes on.
func TestResumeStallDetected(t *testing.T) {
	srv := server.New(nil, echoSession)
	defer srv.Close()
	sw := startSwap(t, srv)
	o := &sdk.Options{Resume: true, HeartbeatInterval: 100 * time.Millisecond,
		Backoff: sdk.Backoff{Initial: time.Millisecond, Max: 5 * time.Millisecond}}
	rec := newRecorder(o)
	c := dial(t, sw.url, o)
	echo(t, c, "before")
	sw.proxy.Freeze()
	e := rec.Next(t, "the stall detected", to(sdk.StateReconnecting))
	if !errors.Is(e.Err, sdk.ErrHeartbeatTimeout) {
		t.Fatalf("reconnecting after %v; want ErrHeartbeatTimeout", e.Err)
	}
	sw.proxy.Thaw()
	sw.proxy.Cut() // the frozen connection's leftovers
	echo(t, c, "after")
}

// TestResumeCloseWithUnreadMessages: the app writes, never reads, and
// closes. Close waits for the server's ACKs, which travel behind the
// server's own data: the Conn keeps reading (what Read will no longer
// return) so they get through, and Close returns nil, not an
// *UnsentError after its 2 s bound.
func TestResumeCloseWithUnreadMessages(t *testing.T) {
	const n = 200
	var got atomic.Int64
	read := make(chan struct{})
	srv := server.New(nil, func(ctx context.Context, s *server.Session) {
		go func() {
			for ctx.Err() == nil && s.Write(ctx, sdk.MessageBinary, make([]byte, 512)) == nil {
			}
		}()
		for {
			if _, _, err := s.Read(ctx); err != nil {
				return
			}
			if got.Add(1) == n {
				close(read)
			}
		}
	})
	defer srv.Close()
	sw := startSwap(t, srv)
	c, err := sdk.Dial(ctxT(t), sw.url, fast(&sdk.Options{Resume: true}))
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := c.Write(ctxT(t), sdk.MessageText, []byte(strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-read:
	case <-ctxT(t).Done():
		t.Fatalf("the server read %d of %d", got.Load(), n)
	}
	if err := c.Close(sdk.StatusNormalClosure, ""); err != nil {
		t.Fatalf("Close = %v; want nil: the server read all %d", err, n)
	}
}

// TestResumeURLFuncAndSubprotocols: the resume parameter is added to the
// URL URLFunc returns (its own query kept), and the app's subprotocols are
// negotiated as in plain mode: resume adds none.
func TestResumeURLFuncAndSubprotocols(t *testing.T) {
	queries := make(chan string, 4)
	srv := server.New(&server.Options{AcceptOptions: &websocket.AcceptOptions{Subprotocols: []string{"chat.v2"}}}, echoSession)
	defer srv.Close()
	sw := startSwap(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		queries <- r.URL.RawQuery
		srv.ServeHTTP(w, r)
	}))
	o := fast(&sdk.Options{Resume: true, Subprotocols: []string{"chat.v2"}})
	o.URLFunc = func(context.Context) (string, error) { return sw.url + "?token=t1", nil }
	c := dial(t, "", o)
	echo(t, c, "hi")
	if got := <-queries; got != "token=t1&redial-resume=1" {
		t.Fatalf("query %q; want the app's token, then redial-resume=1", got)
	}
	if sp := c.Subprotocol(); sp != "chat.v2" {
		t.Fatalf("Subprotocol = %q; want chat.v2", sp)
	}
}
