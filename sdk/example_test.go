package sdk_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/redial-ws/redial/sdk"
)

// exampleServer is a plain coder/websocket echo server; a request to
// /bye closes with 1008, and dropAll cuts every live connection.
func exampleServer() (url string, dropAll func(), stop func()) {
	conns := make(chan *websocket.Conn, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		if r.URL.Path == "/bye" {
			c.Close(websocket.StatusPolicyViolation, "token expired")
			return
		}
		conns <- c
		for {
			typ, p, err := c.Read(r.Context())
			if err != nil {
				return
			}
			c.Write(r.Context(), typ, p)
		}
	}))
	drop := func() { (<-conns).CloseNow() }
	return strings.Replace(srv.URL, "http", "ws", 1), drop, srv.Close
}

func ExampleDial() {
	url, _, stop := exampleServer()
	defer stop()

	ctx := context.Background()
	c, err := sdk.Dial(ctx, url, nil) // nil Options: the default policy
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close(sdk.StatusNormalClosure, "bye")

	c.Write(ctx, sdk.MessageText, []byte("hello"))
	_, msg, _ := c.Read(ctx)
	fmt.Println(string(msg))
	// Output: hello
}

// A dropped connection comes back by itself; Read and Write span it.
func ExampleDial_reconnect() {
	url, drop, stop := exampleServer()
	defer stop()

	ctx := context.Background()
	reconnected := make(chan struct{}, 1)
	c, err := sdk.Dial(ctx, url, &sdk.Options{
		Backoff: sdk.Backoff{Initial: 10 * time.Millisecond},
		OnStateChange: func(e sdk.StateChange) {
			if e.To == sdk.StateReconnecting {
				fmt.Println("dropped:", e.Close.Code)
			}
			if e.To == sdk.StateOpen && e.Attempt > 0 {
				reconnected <- struct{}{}
			}
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close(sdk.StatusNormalClosure, "")

	drop() // the server cuts TCP with no close frame
	<-reconnected
	c.Write(ctx, sdk.MessageText, []byte("still here"))
	_, msg, _ := c.Read(ctx)
	fmt.Println(string(msg))
	// Output:
	// dropped: 1006 abnormal closure
	// still here
}

// A final close (here 1008) ends Read with the close that caused it.
func ExampleCloseError() {
	url, _, stop := exampleServer()
	defer stop()

	c, err := sdk.Dial(context.Background(), url+"/bye", nil)
	if err != nil {
		log.Fatal(err)
	}
	_, _, err = c.Read(context.Background())
	var ce *sdk.CloseError
	if errors.As(err, &ce) {
		fmt.Println(ce.Code, "-", ce.Reason)
	}
	// Output: 1008 policy violation - token expired
}

// CloseStatus reads the code of a close from any error, -1 for one that
// is not a close, as coder/websocket's CloseStatus does.
func ExampleCloseStatus() {
	url, _, stop := exampleServer()
	defer stop()

	c, err := sdk.Dial(context.Background(), url+"/bye", nil)
	if err != nil {
		log.Fatal(err)
	}
	_, _, err = c.Read(context.Background())
	fmt.Println(sdk.CloseStatus(err) == sdk.StatusPolicyViolation, sdk.CloseStatus(context.Canceled))
	// Output: true -1
}

func ExampleConn_Stats() {
	url, _, stop := exampleServer()
	defer stop()

	ctx := context.Background()
	c, err := sdk.Dial(ctx, url, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range []string{"hello", "world!"} {
		c.Write(ctx, sdk.MessageText, []byte(m))
		c.Read(ctx)
	}
	fmt.Println("open:", c.Stats().TimeOpen > 0) // cheap, safe from any goroutine: poll it for a dashboard

	c.Close(sdk.StatusNormalClosure, "bye")
	st := c.Stats() // after Close every count is settled
	fmt.Printf("attempts %d, reconnects %d\n", st.Attempts, st.Reconnects)
	fmt.Printf("in %d msgs / %d B, out %d msgs / %d B, queued %d\n",
		st.MessagesIn, st.BytesIn, st.MessagesOut, st.BytesOut, st.QueuedMessages)
	// Output:
	// open: true
	// attempts 1, reconnects 0
	// in 2 msgs / 11 B, out 2 msgs / 11 B, queued 0
}
