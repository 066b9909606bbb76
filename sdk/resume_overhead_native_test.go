//go:build !js

package sdk_test

import (
	"context"
	"net"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
)

// countListener counts the bytes of every connection it accepts.
type countListener struct {
	net.Listener
	in, out *atomic.Int64
}

func (l countListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countConn{c, l.in, l.out}, nil
}

type countConn struct {
	net.Conn
	in, out *atomic.Int64
}

func (c countConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.in.Add(int64(n))
	return n, err
}

func (c countConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.out.Add(int64(n))
	return n, err
}

// TestResumeWireOverhead reports the TCP bytes per message, resume on and
// off: 32-byte messages, 10,000 echoed (so 10,000 each way), counted at the
// server's sockets (handshake included). A figure, not asserted.
func TestResumeWireOverhead(t *testing.T) {
	const n, size = 10000, 32
	measure := func(resume bool) float64 {
		var in, out atomic.Int64
		srv := server.New(nil, echoSession)
		defer srv.Close()
		hs := httptest.NewUnstartedServer(srv)
		hs.Listener = countListener{hs.Listener, &in, &out}
		hs.Start()
		defer hs.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := sdk.Dial(ctx, "ws"+hs.URL[len("http"):], fast(&sdk.Options{Resume: resume}))
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			for range n {
				if _, _, err := c.Read(ctx); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
		msg := make([]byte, size)
		for range n {
			if err := c.Write(ctx, sdk.MessageBinary, msg); err != nil {
				t.Fatal(err)
			}
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if err := c.Close(sdk.StatusNormalClosure, ""); err != nil {
			t.Fatal(err)
		}
		return float64(in.Load()+out.Load()) / (2 * n)
	}
	off, on := measure(false), measure(true)
	t.Logf("%d-byte messages, %d each way: plain %.1f B/message on the wire, resume %.1f B/message: +%.1f B",
		size, n, off, on, on-off)
}
