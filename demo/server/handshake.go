package main

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/redial-ws/redial/internal/wsaccept"
)

// Handshake is what /api/handshake reports: the last upgrade request the
// server saw for a client and what it answered. JavaScript cannot see a
// WebSocket's handshake; this is the server's side of it.
type Handshake struct {
	Client   string    `json:"client"`
	Endpoint string    `json:"endpoint"` // "/ws/echo", "/ws/ticker", "/ws/chat"
	Time     time.Time `json:"time"`
	// Outcome: "upgraded" (101), "refused" (/api/refuse status),
	// "rejected" (coder/websocket refused it, e.g. 403 for a foreign
	// Origin), or "reset" (/api/restart window: TCP dropped, no answer).
	Outcome string `json:"outcome"`

	// The request, as received.
	Method     string `json:"method"`
	Path       string `json:"path"`   // the URL path, e.g. /ws/echo
	Target     string `json:"target"` // path and query, e.g. /ws/echo?client=a
	Proto      string `json:"proto"`  // HTTP/1.1
	Host       string `json:"host"`
	Origin     string `json:"origin"`
	Upgrade    string `json:"upgrade"`    // Upgrade: websocket
	Connection string `json:"connection"` // Connection: Upgrade
	Key        string `json:"key"`        // Sec-WebSocket-Key
	Version    string `json:"version"`    // Sec-WebSocket-Version: 13
	Protocol   string `json:"protocol"`   // Sec-WebSocket-Protocol offered ("" if none)
	Extensions string `json:"extensions"` // Sec-WebSocket-Extensions offered
	// RequestHeaders: every request header, names spelled as in RFC 6455.
	RequestHeaders map[string]string `json:"requestHeaders"`

	// The response, as coder/websocket wrote it (captured at WriteHeader).
	Status      int    `json:"status"` // 101; the refusal status; 0 for reset
	StatusText  string `json:"statusText"`
	Accept      string `json:"accept"`      // Sec-WebSocket-Accept sent ("" if none)
	Subprotocol string `json:"subprotocol"` // Sec-WebSocket-Protocol agreed ("" if none)
	// ResponseHeaders: every response header the server set.
	ResponseHeaders map[string]string `json:"responseHeaders"`

	// The check: base64(SHA-1(key + GUID)), computed here with the RFC's
	// formula, and whether what was sent equals it.
	GUID           string `json:"guid"`
	ComputedAccept string `json:"computedAccept"`
	AcceptMatches  bool   `json:"acceptMatches"`
}

func newHandshake(r *http.Request, client, kind string, now time.Time) *Handshake {
	key := r.Header.Get("Sec-WebSocket-Key")
	return &Handshake{
		Client:         client,
		Endpoint:       "/ws/" + kind,
		Time:           now,
		Method:         r.Method,
		Path:           r.URL.Path,
		Target:         r.URL.RequestURI(),
		Proto:          r.Proto,
		Host:           r.Host,
		Origin:         r.Header.Get("Origin"),
		Upgrade:        r.Header.Get("Upgrade"),
		Connection:     r.Header.Get("Connection"),
		Key:            key,
		Version:        r.Header.Get("Sec-WebSocket-Version"),
		Protocol:       strings.Join(r.Header.Values("Sec-WebSocket-Protocol"), ", "),
		Extensions:     strings.Join(r.Header.Values("Sec-WebSocket-Extensions"), ", "),
		RequestHeaders: flatten(r.Header, r.Host),
		GUID:           wsaccept.GUID,
		ComputedAccept: wsaccept.Accept(key),
	}
}

// setResponse records the status and headers about to be written.
func (h *Handshake) setResponse(code int, hdr http.Header) {
	h.Status = code
	h.StatusText = http.StatusText(code)
	h.Accept = hdr.Get("Sec-WebSocket-Accept")
	h.Subprotocol = hdr.Get("Sec-WebSocket-Protocol")
	h.ResponseHeaders = flatten(hdr, "")
	h.AcceptMatches = h.Accept != "" && h.Accept == h.ComputedAccept
}

// flatten joins repeated headers and spells names as RFC 6455 does
// (Go canonicalizes Sec-WebSocket-Key to Sec-Websocket-Key).
func flatten(h http.Header, host string) map[string]string {
	out := make(map[string]string, len(h)+1)
	if host != "" {
		out["Host"] = host // net/http moves Host out of the header map
	}
	for k, v := range h {
		out[strings.Replace(k, "Websocket", "WebSocket", 1)] = strings.Join(v, ", ")
	}
	return out
}

func (s *Server) saveHandshake(h *Handshake) {
	c := *h
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handshakes[h.Client] = &c
	s.lastAny = &c
}

// handshakeFor returns a copy of the last handshake of client (or of any
// client when all), or nil.
func (s *Server) handshakeFor(client string, all bool) *Handshake {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.lastAny
	if !all {
		h = s.handshakes[client]
	}
	if h == nil {
		return nil
	}
	c := *h
	return &c
}

func (s *Server) apiHandshake(r *http.Request) (any, error) {
	t, err := targetOf(r)
	if err != nil {
		return nil, err
	}
	h := s.handshakeFor(t.client, t.all)
	if h == nil {
		if t.all {
			return nil, errors.New("no WebSocket upgrade seen yet")
		}
		return nil, fmt.Errorf("no WebSocket upgrade seen yet for client %q", t.client)
	}
	return h, nil
}
