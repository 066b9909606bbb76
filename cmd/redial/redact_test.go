package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

// TestFlagValueNotEchoed: a flag that takes the URL as its value (its own
// value forgotten) makes the flag package quote it; the quote goes through
// redaction. A password holding '?' and a token sent as a subprotocol are
// not echoed either. Before the fix all three printed their secret.
func TestFlagValueNotEchoed(t *testing.T) {
	for _, args := range [][]string{
		{"-timeout", "wss://u:S3CR3T@127.0.0.1:1/?token=S4CR4T"},
		{"-no-reconnect", "ws://admin:S3CR3T?x@127.0.0.1:1/"},
		{"-no-reconnect", "-subprotocol", "bearer.S3CR3T/abc=", "ws://127.0.0.1:1/"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr); code == 0 {
			t.Errorf("run(%q) = 0, want a failure", args)
		}
		if stderr.Len() == 0 {
			t.Errorf("run(%q) printed nothing", args)
		}
		noSecrets(t, "output of "+strings.Join(args, " "), stderr.String()+stdout.String(), "S3CR3T", "S4CR4T")
	}
}

// TestVerboseRedactsEveryHeader: -v prints the value of none but a few
// harmless headers (an X-Api-Key, a Set-Cookie, a response header holding
// a URL), the agreed subprotocol's token, nor a close reason's URL
// (printed as CloseError.Error prints it).
func TestVerboseRedactsEveryHeader(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Set-Cookie", "session=S7CR7T; HttpOnly")
		w.Header().Set("X-Echo-Url", "ws://u:S3CR3T@h/?token=S4CR4T")
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"bearer.S9CR9T"}})
		if err != nil {
			return
		}
		_ = c.Write(r.Context(), websocket.MessageText, []byte("hello"))
		_ = c.Close(4001, "see ws://u:S3CR3T@h/?token=S4CR4T")
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	p := start(t, "-v", "-no-reconnect", "-H", "X-Api-Key: S3CR3T", "-subprotocol", "bearer.S9CR9T",
		"ws://u:S3CR3T@"+ln.Addr().String()+"/?token=S4CR4T")
	p.expectErr("> X-Api-Key: xxxxx")
	p.expectErr("subprotocol bearer.xxxxx")
	p.expectExit(exitClosed)
	p.expectErr("see ws://u:xxxxx@h/?token=xxxxx")
	noSecrets(t, "stderr", p.err.text()+p.out.text(), "S3CR3T", "S4CR4T", "S7CR7T", "S9CR9T")
}
