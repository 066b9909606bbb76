// The SDK's browser transport helper: the per-message work of sdk's
// transport_js.go, in plain JS, so that a message costs no Go call of its
// own (see sdk/jshelper_js.go for the protocol).
//
// The one source of the helper. The Go side embeds this file (go:embed) and
// compiles it with new Function; redial-ws's npm bundle includes it as code
// (scripts/bundle.mjs) and defines globalThis.__redialTransport with it before
// the wasm starts, so a page whose Content-Security-Policy forbids eval
// works too. It must stay a plain script that declares this one function.
function redialTransportHelper() {
  "use strict";
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const HDR = 8; // take's header: message count, flags (u32 little-endian)
  const BATCH = 256 << 10; // bytes per take, at least one message
  const MIN = 64 << 10;
  function grow(s, need, keep) {
    const b = new Uint8Array(Math.max(need, 2 * s.in.length));
    if (keep > 0) b.set(s.in.subarray(0, keep));
    s.in = b;
    s.inView = new DataView(b.buffer);
    s.replaced = true;
  }
  // take packs queued messages into s.in: header, the data, then one u32 per
  // message (length * 2 + binary). It returns the bytes used (0: none queued),
  // negated when s.in is a new buffer.
  function take(s) {
    const q = s.q;
    let i = s.head;
    if (i >= q.length) return 0;
    if (s.in.length > 4 * BATCH) {
      s.in = new Uint8Array(MIN); // after a big message: do not keep its room
      s.inView = new DataView(s.in.buffer);
      s.replaced = true;
    }
    const lens = s.lens;
    let off = HDR;
    let flags = 0;
    lens.length = 0;
    while (i < q.length) {
      if (off - HDR >= BATCH) {
        flags |= 1;
        break;
      }
      const d = q[i];
      let n;
      let bin = 0;
      if (typeof d === "string") {
        if (d.length > s.limit) {
          flags |= 2;
          break;
        }
        if (off + 3 * d.length > s.in.length) grow(s, off + 3 * d.length + 4 * (lens.length + 1), off);
        n = enc.encodeInto(d, s.in.subarray(off)).written;
        if (n > s.limit) {
          flags |= 2;
          break;
        }
      } else {
        const u = new Uint8Array(d);
        n = u.length;
        bin = 1;
        if (n > s.limit) {
          flags |= 2;
          break;
        }
        if (off + n > s.in.length) grow(s, off + n + 4 * (lens.length + 1), off);
        s.in.set(u, off);
      }
      q[i++] = undefined;
      lens.push(n * 2 + bin);
      off += n;
    }
    if (flags & 2) {
      s.over = true;
      s.q = [];
      s.head = 0;
    } else if (i >= q.length) {
      q.length = 0;
      s.head = 0;
    } else {
      s.head = i;
    }
    if (off + 4 * lens.length > s.in.length) grow(s, off + 4 * lens.length, off);
    const v = s.inView;
    for (let k = 0; k < lens.length; k++) v.setUint32(off + 4 * k, lens[k], true);
    v.setUint32(0, lens.length, true);
    v.setUint32(4, flags, true);
    if (s.replaced) {
      s.replaced = false;
      return -(off + 4 * lens.length); // Go must fetch s.in again
    }
    return off + 4 * lens.length;
  }
  // send sends the n messages Go copied into s.out: the data (size bytes),
  // then one u32 per message as take's. It returns ws.bufferedAmount.
  function send(ws, s, n, size) {
    const b = s.out;
    const v = s.outView;
    let off = 0;
    for (let k = 0; k < n; k++) {
      const m = v.getUint32(size + 4 * k, true);
      const part = b.subarray(off, off + (m >>> 1));
      ws.send(m & 1 ? part : dec.decode(part));
      off += m >>> 1;
    }
    return ws.bufferedAmount;
  }
  const helper = {
    version: 1,
    live: 0, // sockets attached and not yet detached (diagnostics, tests)
    // attach takes over ws's event handlers. go(kind) is the socket's Go
    // function: 0 messages are queued (or a turn of the event loop came),
    // 1 open, 2 close. limit is the largest message accepted, in bytes.
    attach(ws, go, limit) {
      const ch = new MessageChannel();
      const s = {
        q: [],
        head: 0,
        lens: [],
        limit,
        over: false,
        pending: false,
        dead: false,
        replaced: false,
        in: new Uint8Array(MIN),
        inView: null,
        out: new Uint8Array(MIN),
        outView: null,
        code: 1006,
        reason: "",
        turn: false, // Go waits for a turn of the event loop (s.post)
      };
      s.inView = new DataView(s.in.buffer);
      s.outView = new DataView(s.out.buffer);
      // Waking Go. A message that finds no wake due goes to Go at once,
      // from its own onmessage: a lone message (the answer to a request)
      // waits for no task hop. After each call a probe (a MessageChannel
      // message) is posted: the messages that arrived during the call, and
      // any after, wait for it and reach Go together, in one call; after that
      // call another probe. Only a probe that finds nothing ends the streak,
      // so a stream goes to Go in batches, one call each, and a message that
      // arrives while Go runs never makes a call of its own.
      const post = () => {
        if (!s.pending && !s.dead) {
          s.pending = true;
          ch.port2.postMessage(0);
        }
      };
      const wake = () => {
        go(0);
        post();
      };
      ch.port1.onmessage = () => {
        s.pending = false;
        if (s.dead || (s.q.length === s.head && !s.turn)) return;
        s.turn = false;
        wake();
      };
      ws.binaryType = "arraybuffer";
      ws.onopen = () => {
        if (!s.dead) go(1);
      };
      ws.onmessage = (ev) => {
        if (s.over || s.dead) return;
        s.q.push(ev.data);
        if (!s.pending) wake();
      };
      ws.onclose = (ev) => {
        s.code = ev.code;
        s.reason = ev.reason;
        if (!s.dead) go(2);
      };
      s.post = () => {
        s.turn = true;
        post();
      };
      s.take = () => take(s);
      s.send = (n, size) => send(ws, s, n, size);
      s.grow = (n) => {
        s.out = new Uint8Array(n);
        s.outView = new DataView(s.out.buffer);
        return s.out;
      };
      s.detach = () => {
        if (s.dead) return;
        helper.live--;
        s.dead = true;
        ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
        ch.port1.onmessage = null;
        ch.port1.close();
        ch.port2.close();
        s.q = [];
        s.head = 0;
      };
      helper.live++;
      return s;
    },
  };
  return helper;
}
