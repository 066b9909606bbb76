package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/redial-ws/redial/sdk"
)

func TestHandshakeReportMatchesSDK(t *testing.T) {
	e := newEnv(t, Config{})
	e.api("/api/handshake?client=h", 404)
	ctx := context.Background()
	c, err := sdk.Dial(ctx, e.wsURL("/ws/echo?client=h"), &sdk.Options{
		Subprotocols: []string{"chat"},
		Native:       &sdk.NativeOptions{HTTPClient: e.ts.Client()},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(sdk.StatusNormalClosure, "")
	hs := c.Handshake()
	var got Handshake
	resp, err := e.ts.Client().Get(e.ts.URL + "/api/handshake?client=h")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.Key == "" || got.Key != hs.Key {
		t.Fatalf("server saw key %q, the SDK sent %q", got.Key, hs.Key)
	}
	if got.Accept != hs.Accept || got.ComputedAccept != sdk.ComputeAccept(hs.Key) || !got.AcceptMatches || !hs.AcceptValid {
		t.Fatalf("accept: server wrote %q, computed %q; SDK got %q (valid %v)", got.Accept, got.ComputedAccept, hs.Accept, hs.AcceptValid)
	}
	want := Handshake{Client: "h", Endpoint: "/ws/echo", Outcome: "upgraded", Method: "GET", Path: "/ws/echo", Target: "/ws/echo?client=h",
		Upgrade: "websocket", Connection: "Upgrade", Version: "13", Protocol: "chat", Status: 101,
		StatusText: "Switching Protocols", Subprotocol: "chat", GUID: "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"}
	if got.Client != want.Client || got.Endpoint != want.Endpoint || got.Outcome != want.Outcome || got.Method != want.Method ||
		got.Path != want.Path || got.Target != want.Target || !strings.EqualFold(got.Upgrade, want.Upgrade) || !strings.EqualFold(got.Connection, want.Connection) ||
		got.Version != want.Version || got.Protocol != want.Protocol || got.Status != want.Status ||
		got.StatusText != want.StatusText || got.Subprotocol != want.Subprotocol || got.GUID != want.GUID {
		t.Fatalf("report %+v", got)
	}
	if got.RequestHeaders["Sec-WebSocket-Key"] != hs.Key || got.ResponseHeaders["Sec-WebSocket-Accept"] != hs.Accept {
		t.Fatalf("headers %v / %v", got.RequestHeaders, got.ResponseHeaders)
	}
	if any := e.api("/api/handshake", 200); any["key"] != hs.Key {
		t.Fatalf("last handshake of anyone: %v", any)
	}
}

func TestStateCounts(t *testing.T) {
	e := newEnv(t, Config{})
	e.dial("/ws/echo?client=a")
	e.dial("/ws/ticker?client=a")
	e.dial("/ws/chat?client=b")
	e.dial("/ws/chat")
	st := e.state()
	if st.Total != 4 || len(st.Clients) != 3 ||
		*st.Clients["a"] != (ClientState{Echo: 1, Ticker: 1}) ||
		*st.Clients["b"] != (ClientState{Chat: 1}) ||
		*st.Clients[""] != (ClientState{Chat: 1}) {
		t.Fatalf("state %+v", st)
	}
}
