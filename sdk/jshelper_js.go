//go:build js

package sdk

import (
	"errors"
	"fmt"
	"sync"

	"github.com/hack-pad/safejs"
)

// The browser transport's hot path runs in a small piece of plain JS, so
// that a message costs no Go call of its own: the socket's onmessage only
// queues the event's data on the JS side and, once per batch, posts a
// MessageChannel message whose handler wakes Go; Go then takes the whole
// batch in one call and one copy. Sends go the other way: Go packs a batch
// into one buffer, copies it to JS once and one call sends each message.
//
// The helper is one object, made once per page: globalThis.__redialTransport
// when it has this version (redial-ws's index.js defines it, so a page whose
// Content-Security-Policy forbids eval still works), else compiled here with
// new Function. js/index.js holds a copy of jsHelperSource; a test
// (wasm/helper_test.go) keeps the two identical.

// jsHelperVersion is the helper's protocol version; a global helper of
// another version is ignored.
const jsHelperVersion = 1

// Event kinds the helper passes to the socket's Go function.
const (
	evWake  = 0 // messages queued, or a yield's turn came
	evOpen  = 1
	evClose = 2
)

// Batch header flags (see take in the helper).
const (
	takeMore = 1 // more messages wait: take again
	takeOver = 2 // the next message was over the read limit
)

// jsHelperSource is the body of a function returning the helper. Keep it
// byte-identical to the copy in js/index.js (between the BEGIN/END markers).
const jsHelperSource = `"use strict";
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
    };
    s.inView = new DataView(s.in.buffer);
    s.outView = new DataView(s.out.buffer);
    const post = () => {
      if (!s.pending && !s.dead) {
        s.pending = true;
        ch.port2.postMessage(0);
      }
    };
    ch.port1.onmessage = () => {
      s.pending = false;
      if (!s.dead) go(0);
    };
    ws.binaryType = "arraybuffer";
    ws.onopen = () => {
      if (!s.dead) go(1);
    };
    ws.onmessage = (ev) => {
      if (s.over || s.dead) return;
      s.q.push(ev.data);
      post();
    };
    ws.onclose = (ev) => {
      s.code = ev.code;
      s.reason = ev.reason;
      if (!s.dead) go(2);
    };
    s.post = post;
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
`

var (
	helperMu  sync.Mutex
	helperVal safejs.Value // the helper, once made
)

// jsHelper returns the helper object, made on first use. A failure is not
// kept: the page may define globalThis.__redialTransport later.
func jsHelper() (safejs.Value, error) {
	helperMu.Lock()
	defer helperMu.Unlock()
	if !helperVal.IsUndefined() {
		return helperVal, nil
	}
	g := safejs.Global()
	if v, err := g.Get("__redialTransport"); err == nil && v.Type() == safejs.TypeObject {
		if ver, err := getInt(v, "version"); err == nil && ver == jsHelperVersion {
			helperVal = v
			return v, nil
		}
	}
	ctor, err := g.Get("Function")
	if err != nil {
		return safejs.Value{}, err
	}
	fn, err := ctor.New(jsHelperSource)
	if err != nil {
		return safejs.Value{}, fmt.Errorf("this page cannot compile the SDK's JS transport helper (does its Content-Security-Policy forbid eval? "+
			"then load redial-ws's index.js first: it defines globalThis.__redialTransport): %w", err)
	}
	v, err := fn.Invoke()
	if err != nil {
		return safejs.Value{}, err
	}
	if v.Type() != safejs.TypeObject {
		return safejs.Value{}, errors.New("the SDK's JS transport helper did not make an object")
	}
	helperVal = v
	return v, nil
}
