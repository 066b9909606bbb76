package bench

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
)

// BenchmarkResumeStream measures a pipelined stream through server.New on
// loopback, resume on and off, one direction at a time: client→server
// (the client Writes, the handler Reads) and server→client (the handler
// Writes, the client Reads), at 16 B, 1 KiB and 64 KiB. MB/s is payload
// bytes; an op is one message, timed until the receiver has it. Default
// bounds on both sides (1 MiB of unacknowledged messages), so a 64 KiB
// stream has a window of 16 messages: it measures how well the
// acknowledgements keep that window open.
//
//	cd bench && go test -run '^$' -bench ResumeStream -benchtime 2s .
func BenchmarkResumeStream(b *testing.B) {
	for _, dir := range []string{"c2s", "s2c"} {
		for _, size := range []int{16, 1 << 10, 64 << 10} {
			for _, resume := range []bool{false, true} {
				name := fmt.Sprintf("dir=%s/size=%d/resume=%v", dir, size, resume)
				b.Run(name, func(b *testing.B) { benchResumeStream(b, dir == "c2s", size, resume) })
			}
		}
	}
}

func benchResumeStream(b *testing.B, c2s bool, size int, resume bool) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got atomic.Int64
	want := make(chan int, 1)   // handler: messages to read or write next
	done := make(chan error, 1) // handler: that many were read or written
	srv := server.New(&server.Options{ReadLimit: 1 << 20}, func(hctx context.Context, s *server.Session) {
		msg := make([]byte, size)
		for {
			var n int
			select {
			case n = <-want:
			case <-hctx.Done():
				return
			}
			var err error
			for range n {
				if c2s {
					_, _, err = s.Read(hctx)
				} else {
					err = s.Write(hctx, sdk.MessageBinary, msg)
				}
				if err != nil {
					break
				}
				got.Add(1)
			}
			done <- err
		}
	})
	defer srv.Close()
	hs := httptest.NewServer(srv)
	defer hs.Close()
	c, err := sdk.Dial(ctx, strings.Replace(hs.URL, "http", "ws", 1), &sdk.Options{Resume: resume})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(sdk.StatusNormalClosure, "") //nolint:errcheck // unsent messages are not what this measures
	msg := make([]byte, size)
	b.SetBytes(int64(size))
	b.ResetTimer()
	want <- b.N
	for range b.N {
		if c2s {
			err = c.Write(ctx, sdk.MessageBinary, msg)
		} else {
			_, _, err = c.Read(ctx)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
}
