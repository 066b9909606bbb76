package redisstore_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redial-ws/redial/server"
	"github.com/redial-ws/redial/server/redisstore"
	"github.com/redis/go-redis/v9"
)

// nodeEnv makes this test binary a server node instead of running tests:
// its value is the Redis address; REDIAL_NODE_N is the streamApp's n.
const nodeEnv = "REDIAL_REDISSTORE_NODE"

// runNode serves a streamApp on a loopback port, prints "addr <host:port>"
// and then the app's log, until it is killed.
func runNode() int {
	n, _ := strconv.Atoi(os.Getenv("REDIAL_NODE_N"))
	rdb := redis.NewClient(redisOptions(os.Getenv(nodeEnv)))
	app := newStreamApp(n)
	app.log = os.Stdout // unbuffered: a line written is in the pipe even after SIGKILL
	srv := server.New(&server.Options{Store: redisstore.New(rdb, nil)}, app.handler)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		fmt.Println("e", err)
		return 1
	}
	fmt.Println("addr", ln.Addr())
	_ = http.Serve(ln, srv) // until SIGKILL
	return 1
}

// childNode is a node in a separate process (this test binary re-executed).
type childNode struct {
	cmd  *exec.Cmd
	addr string
	done chan struct{} // its stdout reached EOF
}

// startChildNode starts a node process whose app log is applied to app.
func startChildNode(t *testing.T, r *redisProc, app *streamApp) *childNode {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), nodeEnv+"="+r.addr, "REDIAL_NODE_N="+strconv.Itoa(app.n))
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &childNode{cmd: cmd, done: make(chan struct{})}
	t.Cleanup(c.kill)
	addr := make(chan string, 1)
	go func() {
		defer close(c.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "addr "); ok {
				addr <- a
				continue
			}
			app.record(sc.Text())
		}
	}()
	select {
	case c.addr = <-addr:
	case <-c.done:
		t.Fatal("child node exited before listening")
	case <-time.After(30 * time.Second):
		t.Fatal("child node not listening within 30 s")
	}
	return c
}

// kill sends SIGKILL (no goodbye: no close frames, no store calls) and
// waits until everything it logged was applied.
func (c *childNode) kill() {
	_ = c.cmd.Process.Kill()
	<-c.done
	_ = c.cmd.Wait()
}

// TestNodeKilled: the real client's node is a separate process, SIGKILLed
// mid-stream; the proxy sends the reconnect to a surviving node, whose
// handler starts with Resumed() true. Nothing acknowledged to the client
// is lost: the client reads "s0".."s<n-1>" in order exactly once, and
// every client message is read by exactly one handler, summed over the
// killed process (from its log) and the survivor. The killed app's own
// log may lack its last read and its last write, one each (checkKilled
// says why, exactly).
func TestNodeKilled(t *testing.T) {
	needRedis(t)
	client(t, shared)
	n := 10000
	if os.Getenv("REDIAL_RESUME_SHORT") == "1" {
		n = 2000
	}
	app := newStreamApp(n)
	child := startChildNode(t, shared, app)
	survivor := startNode(t, shared, nil, app.handler)
	cl := startCluster(t, shared, 1, nil, app.handler) // proxy; its own node unused
	cl.proxy.Retarget(child.addr)
	cl.nodes = append(cl.nodes, survivor)
	ctx := testCtx(t, 3*time.Minute)

	res := streamClient(t, ctx, cl.url(), app)
	for i, frac := range []int64{1, 2, 3} { // a few cuts on the child first: it resumes there
		if err := res.waitProgress(ctx, int64(i+1), int64(2*n)*frac/10); err != nil {
			t.Fatalf("cut %d: %v", i, err)
		}
		cl.proxy.Cut()
	}
	if err := res.waitProgress(ctx, 4, int64(2*n)*4/10); err != nil {
		t.Fatal(err)
	}
	acked := res.acked()
	child.kill()
	cl.moveTo(1)
	l := res.complete(t, ctx, 5, 1)
	l.srvLost -= app.checkKilled(t) // the killed handler's unlogged read, if any: not a loss
	if l != (loss{}) {
		t.Fatal(l)
	}
	if app.resumed.Load() != 1 {
		t.Fatalf("%d resumed handlers on the survivor, want 1", app.resumed.Load())
	}
	t.Logf("LOSS TABLE | SIGKILLed node | 1 move | %d messages each way | %s | SIGKILL after ≥%d client messages acknowledged, "+
		"%d+%d delivered; %d connections", n, l, acked, app.serverGot(), res.cli.got.Load(), res.opens.Load())
}
