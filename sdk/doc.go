// Package sdk is redial: a WebSocket client that stays up.
//
// One API, two builds. Natively the transport is github.com/coder/websocket;
// compiled with GOOS=js GOARCH=wasm it is the browser's own WebSocket
// (through github.com/hack-pad/safejs). On either, a Conn adds what raw
// WebSockets lack: reconnection with jittered exponential backoff, a
// close-code and handshake policy, a bounded send queue flushed in order
// after a reconnect, heartbeats, and state events.
//
//	c, err := sdk.Dial(ctx, "wss://example.com/feed", nil)
//	if err != nil { … }                 // typed: *HandshakeError, *URLError, …
//	defer c.Close(sdk.StatusNormalClosure, "bye")
//	c.Write(ctx, sdk.MessageText, []byte("hi")) // queued while reconnecting
//	typ, msg, err := c.Read(ctx)        // waits through reconnects
//
// Read and Write span reconnects; only a final close ends them, with an
// error matching ErrClosed that errors.As turns into the *CloseError or
// *HandshakeError that ended the Conn. A ctx that ends interrupts only the
// call it was passed to, never the Conn.
//
// # Delivery
//
// With Options.Resume (and a server that speaks docs/resume.md, such as
// package server), delivery is exactly once, in order, in both directions:
// a written message stays queued until the server acknowledges it and is
// replayed after a reconnect; duplicates of a replay are dropped; a
// session the server lost ends the Conn with ErrSessionLost, never a
// silent gap. Measured: 20,000 messages each way with 1,000 TCP resets
// (sdk/resume_stream_native_test.go): 0 lost, 0 duplicated, in order.
//
// Without it (or an acknowledging protocol of the app's), delivery is at most once for
// what is in flight: a message the kernel (or the browser) accepted just
// before the TCP stream died is lost, and Write had returned nil for it.
// Messages still in the send queue survive the drop and go out first, in
// order, on the next connection; nothing is ever duplicated or reordered.
// Measured with 200 connection resets during a 20,000-message stream
// (bench/loss_test.go): 7,470 lost unpaced, 36 when paced. Received
// messages are never dropped, unless the app calls Close: a message read
// from a socket that then died, or that came before the server's final
// close, is still handed to Read; after the app's own Close, Read returns
// an error matching ErrClosed at once and what was not read is discarded
// (as a browser's WebSocket fires no message event after close()).
//
// # Default policy
//
// Every row can be replaced with Options.Policy; see DefaultPolicy.
//
//	event                                                   default
//	the app's Close                                         final
//	close 1002 1003 1007 1008 1009 1010, 3500–3999, 4500–4999  final
//	close 1000/1001 from the server, 1005, 1006, 1011, 1014,
//	      3000–3499, 4000–4499                              reconnect with backoff
//	close 1012 service restart, 1013 try again later        reconnect after 5–10 s (≤ Backoff.Max)
//	close reason {"reconnect":false} / {"retryAfterMs":n}   the server's hint wins
//	handshake 401/403                                       refresh via URLFunc/HeaderFunc once, then final
//	handshake 400/404/other 4xx, no agreed subprotocol,
//	      bad Sec-WebSocket-Accept                          final
//	handshake 3xx (redirects are not followed, as in browsers)  final
//	handshake 429/503 with Retry-After                      wait min(Retry-After, Backoff.Max) + ≤20 % jitter (≤ 1.2 × Max)
//	other 5xx, network error, dial timeout (10 s),
//	      heartbeat timeout                                 reconnect with backoff
//	a *URLError (say from URLFunc), an *OptionError (say a
//	      header from HeaderFunc), ErrPermanent (a TLS
//	      certificate refused…)                             final
//	backoff                  full jitter: rand(0, min(30 s, 1 s × 2^(attempt-1)))
//	attempt counter reset    after a connection stayed open 5 s
//	retry budget             unlimited; MaxRetries / MaxElapsed bound it
//	heartbeat                ping every 25 s; dead after 2 missed (≤ 60 s: 2 × 25 s + 10 s
//	                         for the second pong) or, after a wall-clock jump (sleep),
//	                         no pong nor message within 10 s; data is proof of life
//	send queue               1024 messages or 1 MiB; full while down: ErrQueueFull
//
// # Browser
//
// Under GOOS=js the API and policy are the same; what differs is only what
// a page is not allowed to do or see:
//
//   - Options.Header, HeaderFunc and Native are ignored: a page cannot set
//     handshake headers. Put a token in the URL (URLFunc) or a subprotocol.
//   - The handshake's HTTP status never reaches JS: a 401, 429 or 503 looks
//     like a refused connection (close 1006), so it is retried with backoff
//     and Retry-After cannot be honoured. Bound it with MaxRetries or
//     MaxElapsed. Conn.Handshake has only URL, Protocols and Subprotocol,
//     and ComputeAccept exists only natively (nothing to check it against).
//   - A page cannot send pings: the heartbeat keeps only its wall-clock
//     check. After the machine slept, the tab was frozen or the main thread
//     was blocked, a socket that delivers a message (one the browser queued
//     meanwhile counts) lives on; one that stays silent for
//     min(interval/2, 10 s) is declared dead and replaced. Messages it had
//     received are delivered first, never dropped. With Options.Resume the
//     heartbeat pings in-band (the protocol's PING/PONG), so a stalled
//     socket is detected in a page too, as natively.
//   - WebSocket.close accepts only 1000 and 3000–4999: Close with another
//     code the Go API allows (1001–1003, 1007–1014) sends 1000 with the
//     original code at the head of the reason ("1001 going away").
//   - Retries pause while navigator.onLine is false and happen at once on
//     "online", "pageshow", and "visibilitychange" to visible.
//   - Read has no backpressure over WebSocket (the default): the browser
//     buffers what arrives. With Options.WebSocketStream, where the browser
//     has WebSocketStream (Chromium), Read pushes back as natively (a few
//     messages of read-ahead). Its cost, in Chromium 156: the unread tail
//     is dropped when the server closes (resume redelivers it), and the
//     renderer can crash when writes are in flight and the server resets
//     TCP (reproduced with a bare WebSocketStream, without redial); hence
//     opt-in. Write waits while bufferedAmount is over 4 MiB. ReadLimit
//     applies: a bigger message ends the Conn with a local close 1009.
//   - A goroutine that writes without pause would keep Go from ever giving
//     the event loop a turn (no message, timer or fetch would run): after a
//     few milliseconds of continuous sending the writer waits for one turn.
//     The wasm layer (redial-ws) turns this off: its writes come from JS.
//   - The hot path runs in a small JS helper made with new Function; on a
//     page whose Content-Security-Policy forbids eval, load redial-ws's
//     index.js first (it defines the helper), or Dial fails with a worded
//     final error.
//   - A URL is parsed by the page's URL class where natively net/url
//     parses it: both refuse it before any attempt, worded (*URLError).
package sdk
