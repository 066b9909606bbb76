// Package bench compares redial with what a user would pick instead,
// side by side in one run, so every cost is a ratio, not a claim. Run:
// make bench (bench/run.d/*.sh).
package bench

import (
	"context"
	"net/http"
	"strings"

	"github.com/coder/websocket"
	gorilla "github.com/gorilla/websocket"

	"github.com/redial-ws/redial/sdk"
)

// readLimit lets every client and server take the 64 KiB messages.
const readLimit = 1 << 20

// client is what every contender offers the benchmarks: one message
// type per client (text or binary), as an app would use it.
type client interface {
	Write(ctx context.Context, p []byte) error
	Read(ctx context.Context) ([]byte, error)
	Close()
}

// contender dials one kind of client; text picks the message type.
type contender struct {
	name string
	dial func(ctx context.Context, url string, text bool) (client, error)
}

var (
	coderC = contender{"coder", func(ctx context.Context, url string, text bool) (client, error) {
		c, _, err := websocket.Dial(ctx, url, nil)
		if err != nil {
			return nil, err
		}
		c.SetReadLimit(readLimit)
		typ := websocket.MessageBinary
		if text {
			typ = websocket.MessageText
		}
		return coderClient{c, typ}, nil
	}}
	gorillaC = contender{"gorilla", func(ctx context.Context, url string, text bool) (client, error) {
		c, resp, err := gorilla.DefaultDialer.DialContext(ctx, url, nil)
		if err != nil {
			return nil, err
		}
		_ = resp.Body.Close()
		c.SetReadLimit(readLimit)
		typ := gorilla.BinaryMessage
		if text {
			typ = gorilla.TextMessage
		}
		return gorillaClient{c, typ}, nil
	}}
	redialC       = redialContender("redial", false)
	redialResumeC = redialContender("redial-resume", true)
)

func redialContender(name string, resume bool) contender {
	return contender{name, func(ctx context.Context, url string, text bool) (client, error) {
		c, err := sdk.Dial(ctx, url, &sdk.Options{ReadLimit: readLimit, Resume: resume})
		if err != nil {
			return nil, err
		}
		typ := sdk.MessageBinary
		if text {
			typ = sdk.MessageText
		}
		return redialClient{c, typ}, nil
	}}
}

type coderClient struct {
	c   *websocket.Conn
	typ websocket.MessageType
}

func (c coderClient) Write(ctx context.Context, p []byte) error { return c.c.Write(ctx, c.typ, p) }
func (c coderClient) Read(ctx context.Context) ([]byte, error) {
	_, p, err := c.c.Read(ctx)
	return p, err
}
func (c coderClient) Close() { _ = c.c.Close(websocket.StatusNormalClosure, "") }

type gorillaClient struct {
	c   *gorilla.Conn
	typ int
}

func (c gorillaClient) Write(_ context.Context, p []byte) error { return c.c.WriteMessage(c.typ, p) }
func (c gorillaClient) Read(context.Context) ([]byte, error) {
	_, p, err := c.c.ReadMessage()
	return p, err
}
func (c gorillaClient) Close() {
	_ = c.c.WriteMessage(gorilla.CloseMessage, gorilla.FormatCloseMessage(gorilla.CloseNormalClosure, ""))
	_ = c.c.Close()
}

type redialClient struct {
	c   *sdk.Conn
	typ sdk.MessageType
}

func (c redialClient) Write(ctx context.Context, p []byte) error { return c.c.Write(ctx, c.typ, p) }
func (c redialClient) Read(ctx context.Context) ([]byte, error) {
	_, p, err := c.c.Read(ctx)
	return p, err
}
func (c redialClient) Close() { _ = c.c.Close(sdk.StatusNormalClosure, "") }

// coderEcho is the one plain echo server: coder/websocket's Accept.
func coderEcho(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	c.SetReadLimit(readLimit)
	for {
		typ, p, err := c.Read(r.Context())
		if err != nil {
			return
		}
		if err := c.Write(r.Context(), typ, p); err != nil {
			return
		}
	}
}

func wsURL(httpURL string) string { return strings.Replace(httpURL, "http", "ws", 1) }
