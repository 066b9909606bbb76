package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
	"go.uber.org/goleak"
)

func leakCheck() int {
	if err := goleak.Find(); err != nil {
		fmt.Println("goleak:", err)
		return 1
	}
	return 0
}

// streamApp is the test application every node runs: its handler writes
// "s<i>" for i from Session.Written() to n-1 (continuing exactly where the
// previous node stopped) and reads "c<i>", checking that each handler
// gets consecutive indexes. It counts, over the handlers of every node,
// how often each inbound message was read and how many writes succeeded.
type streamApp struct {
	n int

	mu           sync.Mutex
	got          []int // times each inbound index was read, over all handlers
	gotN         int   // distinct inbound indexes read
	err          error // first violation seen by a handler
	causes       map[string]int
	wrote        []int // successful Writes of each outbound index, over all handlers
	firstResumed int   // Written() when the first Resumed() handler started; -1: none
	reorder      int   // reads that were not the handler's previous read + 1

	runs, resumed atomic.Int64
	progress      chan struct{}

	// log, if set (a node in a child process), gets "r <i>" after each
	// read and "w <i>" after each successful write, for the parent to sum.
	log io.Writer
}

func newStreamApp(n int) *streamApp {
	return &streamApp{n: n, got: make([]int, n), wrote: make([]int, n), firstResumed: -1, causes: make(map[string]int), progress: make(chan struct{}, 1)}
}

func (a *streamApp) fail(err error) {
	a.mu.Lock()
	if a.err == nil {
		a.err = err
	}
	if a.log != nil {
		fmt.Fprintf(a.log, "e %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
	}
	a.mu.Unlock()
}

// record applies a line a child node's app logged ("r 5", "w 7", "e …").
func (a *streamApp) record(line string) {
	kind, arg, _ := strings.Cut(line, " ")
	i, err := strconv.Atoi(arg)
	switch {
	case kind == "e":
		a.fail(errors.New("child node: " + arg))
	case err != nil || i < 0 || i >= a.n:
	case kind == "r":
		a.mu.Lock()
		if a.got[i]++; a.got[i] == 1 {
			a.gotN++
		}
		a.mu.Unlock()
		ring(a.progress)
	case kind == "w":
		a.mu.Lock()
		a.wrote[i]++
		a.mu.Unlock()
	}
}

// serverGot is how many distinct client messages the handlers read.
func (a *streamApp) serverGot() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.gotN
}

func ring(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

func (a *streamApp) handler(ctx context.Context, s *server.Session) {
	a.runs.Add(1)
	if s.Resumed() {
		a.resumed.Add(1)
		a.mu.Lock()
		if a.firstResumed < 0 {
			a.firstResumed = int(s.Written())
		}
		a.mu.Unlock()
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var buf []byte
		for i := s.Written(); i < uint64(a.n); i++ {
			buf = strconv.AppendUint(append(buf[:0], 's'), i, 10)
			if err := s.Write(ctx, sdk.MessageBinary, buf); err != nil {
				return
			}
			a.mu.Lock()
			a.wrote[i]++
			if a.log != nil {
				fmt.Fprintf(a.log, "w %d\n", i)
			}
			a.mu.Unlock()
		}
	}()
	last := -1
	for {
		typ, p, err := s.Read(ctx)
		if err != nil {
			break
		}
		i, perr := strconv.Atoi(string(p[1:]))
		switch {
		case typ != sdk.MessageText || p[0] != 'c' || perr != nil || i < 0 || i >= a.n:
			a.fail(fmt.Errorf("handler read %q", p))
		case last >= 0 && i != last+1:
			a.fail(fmt.Errorf("handler read c%d after c%d", i, last))
			a.mu.Lock()
			a.reorder++
			a.mu.Unlock()
		}
		if perr == nil && i >= 0 && i < a.n {
			a.mu.Lock()
			if a.got[i]++; a.got[i] == 1 {
				a.gotN++
			}
			if a.log != nil {
				fmt.Fprintf(a.log, "r %d\n", i)
			}
			a.mu.Unlock()
			ring(a.progress)
		}
		last = i
	}
	wg.Wait()
	<-ctx.Done() // Read reports the end just before ctx is cancelled
	cause := context.Cause(ctx)
	name := "other: " + fmt.Sprint(cause)
	var ce *server.CloseError
	switch {
	case errors.Is(cause, server.ErrSessionMoved):
		name = "moved"
	case errors.As(cause, &ce):
		name = "closed " + ce.Code.String()
	case errors.Is(cause, server.ErrServerClosed):
		name = "server closed"
	}
	a.mu.Lock()
	a.causes[name]++
	a.mu.Unlock()
}

// loss sums the handlers' reads over every node: client messages never
// read, read more than once, and read out of order.
func (a *streamApp) loss() (lost, dup, reorder int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, k := range a.got {
		if k == 0 {
			lost++
		}
		dup += max(k-1, 0)
	}
	return lost, dup, a.reorder
}

// check returns the first violation: a message read twice or never, a
// handler's out-of-order read, or an outbound index written other than
// exactly once.
func (a *streamApp) check() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err != nil {
		return a.err
	}
	for i, k := range a.got {
		if k != 1 {
			return fmt.Errorf("c%d read %d times over all handlers", i, k)
		}
	}
	for i, k := range a.wrote {
		if k != 1 {
			return fmt.Errorf("s%d written %d times over all handlers", i, k)
		}
	}
	return nil
}

// checkKilled is check for a run in which one node was SIGKILLed and one
// handler on a survivor resumed its session, and returns how many client
// messages no handler logged (0 or 1). The bounds are exact, not slack:
// the killed app's log is not atomic with the store, and each of its two
// loops (one reader, one writer: each waits for its store call, then logs,
// then goes on) can have died in the window between the two.
//   - Read: the store records the delivery (SetDelivered) before
//     Session.Read returns it, so no other node delivers it again; the
//     killed handler may not have logged it yet. At most one message, read
//     by no handler in the logs.
//   - Write: Redis runs an Append it received even after its client died,
//     and Write returns only after it; the killed handler may not have
//     logged it. The survivor starts at Written(), which counts it, so at
//     most one index is written by no handler in the logs, and it is
//     exactly Written()-1 of the resumed handler: the killed writer's
//     last. The client reads it all the same (replayed from the stream).
func (a *streamApp) checkKilled(t testing.TB) int {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err != nil {
		t.Fatal(a.err)
	}
	unread := []int{}
	for i, k := range a.got {
		switch {
		case k == 0:
			unread = append(unread, i)
		case k != 1:
			t.Fatalf("c%d read %d times over all handlers", i, k)
		}
	}
	if len(unread) > 1 {
		t.Fatalf("c%v read by no handler in the logs; at most one may be (the killed handler's last read)", unread)
	}
	if len(unread) == 1 {
		t.Logf("c%d: delivered by the killed node, not in its app's log (SIGKILL between SetDelivered and the log line)", unread[0])
	}
	for i, k := range a.wrote {
		switch {
		case k == 1:
		case k == 0 && i == a.firstResumed-1:
			t.Logf("s%d: stored by the killed node, not in its app's log (SIGKILL between Append and the log line)", i)
		default:
			t.Fatalf("s%d written %d times over all handlers (the survivor resumed at Written() = %d)", i, k, a.firstResumed)
		}
	}
	return len(unread)
}
