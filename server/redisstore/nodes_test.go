package redisstore_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redial-ws/redial/internal/testserver"
	"github.com/redial-ws/redial/server"
	"github.com/redial-ws/redial/server/redisstore"
	"github.com/redis/go-redis/v9"
)

// node is one server.Server on its own loopback port with its own Redis
// client and Store, as a separate machine would have.
type node struct {
	srv   *server.Server
	http  *httptest.Server
	store *redisstore.Store
}

func (n *node) addr() string { return strings.TrimPrefix(n.http.URL, "http://") }

func startNode(t testing.TB, r *redisProc, opts *server.Options, h func(context.Context, *server.Session)) *node {
	t.Helper()
	rdb := redis.NewClient(redisOptions(r.addr))
	var o server.Options
	if opts != nil {
		o = *opts
	}
	n := &node{store: redisstore.New(rdb, nil)}
	o.Store = n.store
	n.srv = server.New(&o, h)
	n.http = httptest.NewServer(n.srv)
	t.Cleanup(func() {
		_ = n.srv.Close()
		n.http.CloseClientConnections()
		n.http.Close()
		_ = rdb.Close()
	})
	return n
}

// cluster is k nodes behind one proxy: a load balancer that sends the
// next connection wherever it is told (Retarget), and Cut drops the
// current ones.
type cluster struct {
	nodes []*node
	proxy *testserver.Proxy
}

func startCluster(t testing.TB, r *redisProc, k int, opts *server.Options, h func(context.Context, *server.Session)) *cluster {
	t.Helper()
	c := &cluster{}
	for range k {
		c.nodes = append(c.nodes, startNode(t, r, opts, h))
	}
	p, err := testserver.StartProxy(c.nodes[0].addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close) // registered last: runs before the nodes close
	c.proxy = p
	return c
}

// url is the proxy's; the real client adds the resume query parameter.
func (c *cluster) url() string { return "ws://" + c.proxy.Addr() + "/" }

// moveTo sends the client's next connection to node i and drops its
// current one.
func (c *cluster) moveTo(i int) {
	c.proxy.Retarget(c.nodes[i].addr())
	c.proxy.Cut()
}

func testCtx(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
