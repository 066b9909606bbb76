package redisstore_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisProc is a redis-server this test binary started: loopback only,
// its own temp dir, persistence off (--save ” --appendonly no), so a
// restart loses every session, as the Redis-restarted test needs.
type redisProc struct {
	cmd  *exec.Cmd
	addr string
	dir  string
	done chan struct{} // its stdout reached EOF (the process exited)
}

// startRedis starts redis-server on port (0: a free one) and returns once
// it logged "Ready to accept connections" (10 s at most).
func startRedis(dir string, port int) (*redisProc, error) {
	if port == 0 {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		port = ln.Addr().(*net.TCPAddr).Port
		_ = ln.Close()
	}
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir, "--logfile", "")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the test
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	r := &redisProc{cmd: cmd, addr: "127.0.0.1:" + strconv.Itoa(port), dir: dir, done: make(chan struct{})}
	readyC := make(chan struct{})
	ready := readyC                // owned by the reader goroutine
	logged := make(chan string, 1) // what it said before it exited unready
	go func() {
		defer close(r.done)
		sc := bufio.NewScanner(out)
		var log strings.Builder
		for sc.Scan() {
			if ready == nil {
				continue
			}
			log.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "Ready to accept connections") {
				close(ready)
				ready = nil
			}
		}
		logged <- log.String()
	}()
	select {
	case <-readyC:
		return r, nil
	case <-r.done:
		_ = cmd.Wait()
		return nil, fmt.Errorf("redis-server on port %d exited: %s", port, <-logged)
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-r.done
		_ = cmd.Wait()
		return nil, errors.New("redis-server not ready within 10 s")
	}
}

// kill stops the server at once (SIGKILL: no save, no goodbye) and waits.
func (r *redisProc) kill() {
	_ = r.cmd.Process.Kill()
	<-r.done
	_ = r.cmd.Wait()
}

// pause stops the server without killing it (SIGSTOP): a stall. Its
// sockets stay open and the kernel keeps queueing what clients send; it
// runs all of it at cont (SIGCONT).
func (r *redisProc) pause() { _ = r.cmd.Process.Signal(syscall.SIGSTOP) }

// cont resumes a paused server.
func (r *redisProc) cont() { _ = r.cmd.Process.Signal(syscall.SIGCONT) }

// port is the server's TCP port.
func (r *redisProc) port() int {
	_, p, _ := net.SplitHostPort(r.addr)
	n, _ := strconv.Atoi(p)
	return n
}

// shared is the redis-server every test uses (TestMain starts it).
var shared *redisProc

// noRedis is set when REDIAL_NO_REDIS=1: every test that needs Redis skips.
var noRedis bool

func needRedis(t testing.TB) {
	t.Helper()
	if noRedis {
		t.Skip("REDIAL_NO_REDIS=1: SKIPPING the Redis store tests (they need Debian's redis-server; scripts/ensure-redis.sh installs it)")
	}
}

// redisOptions are the go-redis options of every client here: one dial
// attempt per command (default 5, 100 ms apart), so that a Redis that is
// down is reported in milliseconds, as a deployment that wants fast 4013s
// would configure it.
func redisOptions(addr string) *redis.Options {
	return &redis.Options{Addr: addr, DialerRetries: 1}
}

// quietLog drops go-redis's log lines (a dead Redis makes many).
type quietLog struct{}

func (quietLog) Printf(context.Context, string, ...any) {}

// client returns a go-redis client on r, closed at the end of the test,
// with its keys flushed first so tests do not see each other's sessions.
func client(t testing.TB, r *redisProc) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(redisOptions(r.addr))
	t.Cleanup(func() { _ = rdb.Close() })
	if err := rdb.FlushAll(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	return rdb
}

func TestMain(m *testing.M) {
	redis.SetLogger(quietLog{})
	if os.Getenv(nodeEnv) != "" {
		os.Exit(runNode())
	}
	if os.Getenv("REDIAL_NO_REDIS") == "1" {
		fmt.Fprintln(os.Stderr, "\n*** REDIAL_NO_REDIS=1: the Redis store tests are SKIPPED; nothing about server/redisstore was verified ***")
		noRedis = true
		os.Exit(m.Run())
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		fmt.Fprintln(os.Stderr, "redisstore tests: redis-server not found (run scripts/ensure-redis.sh, or set REDIAL_NO_REDIS=1 to skip)")
		os.Exit(1)
	}
	dir, err := os.MkdirTemp("", "redial-redis-")
	if err == nil {
		shared, err = startRedis(dir, 0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "redisstore tests:", err)
		os.Exit(1)
	}
	code := m.Run()
	shared.kill()
	_ = os.RemoveAll(dir)
	if code == 0 {
		code = leakCheck()
	}
	os.Exit(code)
}
