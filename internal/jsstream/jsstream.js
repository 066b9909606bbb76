// The SDK's WebSocketStream adapter: a WebSocketStream behind the few
// members of WebSocket that the SDK's transport helper (sdk/jshelper.js) and
// transport (sdk/transport*_js.go) use, plus more(), which lets the socket
// read a little further. Messages are pulled from the stream's reader only
// while credit lasts, and Go grants credit as Read consumes: a slow reader
// leaves the rest in the browser's network stack, whose flow control then
// holds the server's sends back (TCP), as a native socket does. WebSocket,
// by contrast, queues every message it receives, without bound.
//
// WebSocketStream: https://github.com/ricea/websocketstream-explainer and
// https://chromestatus.com/feature/5189728691290112 (Chromium 124+).
//
// Chromium drops what it had received and not yet handed to the readable
// when the server closes (or the connection drops): the messages in flight
// behind the credit are lost, where WebSocket would have delivered them.
// That is why the SDK dials with this only when asked (Options.WebSocketStream).
//
// sdk embeds this file (internal/jsstream) and compiles it with new
// Function; a page whose Content-Security-Policy forbids eval gets the
// WebSocket transport instead. It must stay a plain script that declares
// this one function, which returns the adapter's constructor:
// new (url, protocols).
function redialStreamAdapter() {
  "use strict";
  const AHEAD_MSGS = 16; // messages read past what Go consumed, at most
  const AHEAD_BYTES = 256 << 10; // and bytes (plus one message)
  const size = (d) => (typeof d === "string" ? d.length : d.byteLength);
  class StreamSocket {
    constructor(url, protocols) {
      this.url = url;
      this.readyState = 0;
      this.protocol = "";
      this.extensions = "";
      this.binaryType = "arraybuffer";
      this.bufferedAmount = 0; // bytes handed to write() and not yet taken by the stream
      this.onopen = this.onmessage = this.onclose = this.onerror = null;
      this._reader = null;
      this._writer = null;
      this._msgs = AHEAD_MSGS; // credit
      this._bytes = AHEAD_BYTES;
      this._reading = false;
      this._done = false; // the readable ended (or never opened)
      this._end = null; // {code, reason} once closed settled
      this._fired = false;
      this._wrote = Promise.resolve(); // the last write: close waits for it
      // Throws SyntaxError for a URL it refuses, as WebSocket does.
      this._s = new WebSocketStream(url, protocols && protocols.length ? { protocols } : {});
      this._s.opened.then(
        (o) => this._opened(o),
        () => {
          this._done = true;
          this._maybeClose();
        },
      );
      this._s.closed.then(
        (c) => this._closed(c.closeCode, c.reason),
        (e) => this._closed(e && typeof e.closeCode === "number" ? e.closeCode : 1006, (e && e.reason) || ""),
      );
    }
    _opened(o) {
      this.protocol = o.protocol || "";
      this.extensions = o.extensions || "";
      this._reader = o.readable.getReader();
      this._writer = o.writable.getWriter();
      // Their failures are the closed promise's to report: no unhandled rejections.
      this._reader.closed.catch(() => {});
      this._writer.closed.catch(() => {});
      if (this.readyState === 0) this.readyState = 1;
      if (this.onopen) this.onopen({ type: "open" });
      this._pump();
    }
    _closed(code, reason) {
      this._end = { code, reason };
      this.readyState = Math.max(this.readyState, 2);
      this._maybeClose();
    }
    // The close event comes once the readable ended and closed settled: every
    // message before the close frame was read by then.
    _maybeClose() {
      if (this._fired || !this._done || !this._end) return;
      this._fired = true;
      this.readyState = 3;
      if (this.onclose) this.onclose({ type: "close", code: this._end.code, reason: this._end.reason });
    }
    // _pump keeps one read pending while credit lasts; after close() it
    // reads on regardless, dropping what comes (as WebSocket drops messages
    // once closing), to reach the close frame behind them.
    _pump() {
      if (this._reading || this._done || !this._reader) return;
      const closing = this.readyState >= 2;
      if (!closing && (this._msgs <= 0 || this._bytes <= 0)) return;
      this._reading = true;
      this._reader.read().then(
        (r) => {
          this._reading = false;
          if (r.done) {
            this._done = true;
            this._maybeClose();
            return;
          }
          if (this.readyState === 1) {
            this._msgs--;
            this._bytes -= size(r.value);
            if (this.onmessage) this.onmessage({ type: "message", data: r.value });
          }
          this._pump();
        },
        () => {
          this._reading = false;
          this._done = true;
          this._maybeClose();
        },
      );
    }
    // more grants fresh credit: Go calls it when it has consumed all it took.
    more() {
      this._msgs = AHEAD_MSGS;
      this._bytes = AHEAD_BYTES;
      this._pump();
    }
    send(d) {
      if (this.readyState !== 1 || !this._writer) return;
      // The stream keeps the chunk until sent: copy a view of a buffer the
      // caller reuses (WebSocket.send copies too).
      const chunk = typeof d === "string" ? d : ArrayBuffer.isView(d) ? d.slice() : d;
      const n = size(chunk);
      this.bufferedAmount += n;
      const done = () => {
        this.bufferedAmount -= n;
      };
      this._wrote = this._writer.write(chunk).then(done, done);
    }
    close(code, reason) {
      if (this.readyState >= 2) return;
      const opts = {};
      if (code !== undefined) opts.closeCode = code;
      if (reason !== undefined) opts.reason = reason;
      const open = this.readyState === 1;
      this.readyState = 2;
      this._pump();
      // WebSocket.close sends what send() took first; WebSocketStream.close
      // would abort the writes still queued. Not yet open: close at once.
      if (!open) return this._s.close(opts);
      this._wrote.then(() => {
        try {
          this._s.close(opts);
        } catch (e) {
          this._s.close(); // a code or reason it refuses: close all the same
        }
      });
    }
  }
  return StreamSocket;
}
