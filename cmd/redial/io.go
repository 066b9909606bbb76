package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/redial-ws/redial/sdk"
)

// readLoop prints every message until the final close, and returns it.
func (r *runner) readLoop(c *sdk.Conn) error {
	for {
		typ, p, err := c.Read(context.Background())
		if err != nil {
			return err
		}
		select {
		case r.received <- struct{}{}:
		default:
		}
		switch {
		case typ == sdk.MessageText:
			fmt.Fprintf(r.stdout, "%s\n", p)
		case r.cfg.base64:
			fmt.Fprintf(r.stdout, "%s\n", base64.StdEncoding.EncodeToString(p))
		case r.cfg.hex:
			fmt.Fprintf(r.stdout, "%s\n", hex.EncodeToString(p))
		default:
			fmt.Fprintf(r.stdout, "<binary %d bytes>\n", len(p))
		}
	}
}

// writeLoop sends each stdin line as a text message (binary with -b). It
// returns nil at EOF, the read error otherwise, errUserClosed after a
// --slash /close, and nil once the Conn is closed for good (the reader
// reports why).
func (r *runner) writeLoop(ctx context.Context, c *sdk.Conn, stdin io.Reader) error {
	br := bufio.NewReaderSize(stdin, 64<<10)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
			if r.cfg.slash && strings.HasPrefix(line, "/") && !strings.HasPrefix(line, "//") {
				if err := r.slashCommand(c, line); err != nil {
					return err
				}
				continue
			}
			if r.cfg.slash {
				line = strings.TrimPrefix(line, "/") // "//x" sends "/x"
			}
			if !r.send(ctx, c, line) {
				return nil
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// send queues one message. While the connection is down and the queue is
// full it waits for the next open instead of dropping the line. It reports
// false once the Conn is closed for good.
func (r *runner) send(ctx context.Context, c *sdk.Conn, line string) bool {
	for {
		opened := r.opens.wait()
		typ := sdk.MessageText
		if r.cfg.binary {
			typ = sdk.MessageBinary
		}
		err := c.Write(ctx, typ, []byte(line))
		switch {
		case err == nil:
			return true
		case errors.Is(err, sdk.ErrQueueFull):
			select {
			case <-opened:
				continue
			case <-ctx.Done():
				return false
			}
		case errors.Is(err, sdk.ErrMessageTooBig):
			r.say("line not sent: %s", trim(err))
			return true
		default: // closed, or ctx ended
			return false
		}
	}
}

// syncWriter serializes writes from the printer, the stdin reader and run.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
