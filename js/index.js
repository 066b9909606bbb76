// redial-ws: a WebSocket that stays up. The Go SDK (github.com/redial-ws/redial/sdk),
// compiled to WebAssembly, behind a drop-in WebSocket-compatible class.
//
//   import { load, RedialSocket } from "redial-ws";
//   await load({ wasmURL: "/node_modules/redial-ws/dist/redial.wasm" });
//   const ws = new RedialSocket("wss://example.com/feed");
//
// Hand-written ES module, no bundler, no dependencies. It talks to the wasm
// side through the one global the Go program installs, globalThis.__redial
// (see wasm/main.go for that contract).

const VERSION = "0.1.0";

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// The Go SDK's browser transport keeps its per-message work in plain JS (see
// sdk/jshelper_js.go). It compiles that helper with new Function unless it
// finds it here, so pages whose Content-Security-Policy forbids eval work
// too. The body between the markers is a copy of the SDK's jsHelperSource;
// wasm/helper_test.go keeps the two identical.
const TRANSPORT_HELPER_VERSION = 1;
function makeTransportHelper() {
// BEGIN redial transport helper
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
// END redial transport helper
}

/** @type {{url: string, promise: Promise<void>} | null} */
let loading = null;
/** The running Go instance, once load() succeeded. */
let rt = null;

function baseURL() {
  return globalThis.document?.baseURI ?? globalThis.location?.href ?? import.meta.url;
}

/**
 * Fetches and starts redial.wasm, once. Calling it again with the same URL
 * returns the same promise; with another URL it rejects. A failed load may
 * be retried.
 * @param {{wasmURL: string | URL, wasmExecURL?: string | URL}} opts
 * @returns {Promise<void>}
 */
export function load(opts) {
  const { wasmURL, wasmExecURL } = opts ?? {};
  if (wasmURL === undefined || wasmURL === null || wasmURL === "") {
    return Promise.reject(new TypeError("redial-ws: load({wasmURL}) needs the URL of redial.wasm"));
  }
  let url;
  try {
    url = new URL(String(wasmURL), baseURL()).href;
  } catch {
    return Promise.reject(new TypeError(`redial-ws: wasmURL ${JSON.stringify(String(wasmURL))} is not a valid URL`));
  }
  if (loading) {
    if (loading.url !== url) {
      return Promise.reject(
        new Error(`redial-ws: already loaded from ${loading.url}; load() cannot switch to ${url} (one runtime per page)`),
      );
    }
    return loading.promise;
  }
  const promise = start(url, wasmExecURL).catch((err) => {
    if (loading?.promise === promise) loading = null; // let the page try again
    throw err;
  });
  loading = { url, promise };
  return promise;
}

async function start(url, wasmExecURL) {
  if (typeof globalThis.Go !== "function") {
    const execURL = wasmExecURL
      ? new URL(String(wasmExecURL), baseURL()).href
      : new URL("./wasm_exec.js", import.meta.url).href;
    try {
      await import(execURL); // a classic script that sets globalThis.Go
    } catch (err) {
      throw new Error(`redial-ws: could not load ${execURL} (Go's wasm_exec.js): ${err?.message ?? err}`, { cause: err });
    }
    if (typeof globalThis.Go !== "function") {
      throw new Error(`redial-ws: ${execURL} did not define globalThis.Go; is it Go's wasm_exec.js?`);
    }
  }
  let resp;
  try {
    resp = await fetch(url);
  } catch (err) {
    throw new Error(`redial-ws: could not fetch ${url}: ${err?.message ?? err}`, { cause: err });
  }
  if (!resp.ok) {
    throw new Error(`redial-ws: could not fetch ${url}: HTTP ${resp.status}`);
  }
  const go = new globalThis.Go();
  let instance;
  try {
    const type = (resp.headers.get("content-type") ?? "").split(";")[0].trim();
    if (type === "application/wasm" && WebAssembly.instantiateStreaming) {
      ({ instance } = await WebAssembly.instantiateStreaming(resp, go.importObject));
    } else {
      ({ instance } = await WebAssembly.instantiate(await resp.arrayBuffer(), go.importObject));
    }
  } catch (err) {
    throw new Error(`redial-ws: ${url} is not a loadable redial.wasm: ${err?.message ?? err}`, { cause: err });
  }
  if (globalThis.__redialTransport?.version !== TRANSPORT_HELPER_VERSION) {
    globalThis.__redialTransport = makeTransportHelper();
  }
  const previous = globalThis.__redial;
  const runtime = {
    api: null,
    exports: instance.exports,
    mem: instance.exports.mem,
    exited: false,
    // The scratch buffer in Go memory that outgoing messages are written to.
    ptr: 0,
    cap: 0,
    view: null,
    kickPending: false,
    // > 0 while Go calls the page from a browser event (it runs its
    // goroutines, the SDK's writer among them, before returning).
    depth: 0,
    // > 0 while the page calls Go through a js.Func; events Go produces
    // meanwhile wait in jobs for a microtask.
    apiDepth: 0,
    jobs: [],
    head: 0,
    drainPending: false,
  };
  // run() executes main() until it blocks, which installs __redial; the
  // promise settles only if the Go program exits.
  go.run(instance).then(
    () => (runtime.exited = true),
    () => (runtime.exited = true),
  );
  const api = globalThis.__redial;
  if (!api || api === previous || typeof api.dial !== "function") {
    throw new Error(`redial-ws: ${url} did not start (no globalThis.__redial); is it redial.wasm?`);
  }
  if (api.version !== VERSION) {
    throw new Error(`redial-ws: ${url} is version ${api.version} but index.js is ${VERSION}; serve one dist/ together`);
  }
  if (typeof instance.exports.redial_send !== "function" || typeof instance.exports.redial_buffered !== "function") {
    throw new Error(`redial-ws: ${url} lacks the redial_send export; is it redial.wasm?`);
  }
  runtime.api = api;
  runtime.kick = () => {
    runtime.kickPending = false;
    if (!runtime.exited) callGo(() => runtime.api.kick());
  };
  runtime.drain = () => drain(runtime);
  rt = runtime;
}

// A call into Go through a js.Func. Go runs all its ready goroutines before
// it returns, and they may report events: those must not fire from inside
// close() or send() (a WebSocket never does that), so deliver() queues them.
function callGo(fn) {
  rt.apiDepth++;
  try {
    return fn();
  } finally {
    rt.apiDepth--;
  }
}

// Runs an event job from Go now, if Go was entered by a browser event of
// its own, else (or while earlier jobs wait) queues it for a microtask.
function deliver(job) {
  if (rt.apiDepth > 0 || rt.head < rt.jobs.length) {
    rt.jobs.push(job);
    if (!rt.drainPending) {
      rt.drainPending = true;
      queueMicrotask(rt.drain);
    }
    return;
  }
  rt.depth++;
  try {
    job();
  } catch (err) {
    reportError(err);
  } finally {
    rt.depth--;
  }
}

function drain(r) {
  r.drainPending = false;
  while (r.head < r.jobs.length) {
    const job = r.jobs[r.head];
    r.jobs[r.head++] = undefined;
    try {
      job();
    } catch (err) {
      reportError(err);
    }
  }
  r.jobs.length = 0;
  r.head = 0;
}

// Sends are queued by a plain wasm export (cheap); Go writes them to the
// socket when it next runs, which kick() makes happen once per batch, unless
// Go is running anyway (a send from an event handler).
function scheduleKick() {
  if (rt.depth === 0 && !rt.kickPending) {
    rt.kickPending = true;
    queueMicrotask(rt.kick);
  }
}

function runtimeOrThrow() {
  if (!rt) throw new Error("redial-ws: call load({wasmURL}) before new RedialSocket");
  if (rt.exited) throw new Error("redial-ws: the wasm runtime has exited (see the console for why)");
  return rt;
}

// Go functions return an Error object (or nothing): Go cannot throw into JS.
function check(r) {
  if (r instanceof Error) throw r;
  if (typeof r === "string") throw new Error(r);
  return r;
}

// The shared Go buffer outgoing messages are written into, as a view that is
// re-made whenever it grew or the wasm memory grew (which detaches views).
function scratch(n) {
  if (n > rt.cap) {
    const [ptr, cap] = check(callGo(() => rt.api.scratch(n)));
    rt.ptr = ptr;
    rt.cap = cap;
    rt.view = null;
  }
  if (rt.view === null || rt.view.buffer !== rt.mem.buffer) {
    rt.view = new Uint8Array(rt.mem.buffer, rt.ptr, rt.cap);
  }
  return rt.view;
}

function utf8Length(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

const isBlob = (d) => typeof Blob !== "undefined" && d instanceof Blob;

function sizeOf(d) {
  if (typeof d === "string") return utf8Length(d);
  if (isBlob(d)) return d.size;
  return d.byteLength;
}

function asBytes(d) {
  if (d instanceof Uint8Array) return d;
  if (ArrayBuffer.isView(d)) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  return new Uint8Array(d); // ArrayBuffer (or SharedArrayBuffer)
}

// WebIDL [Clamp] unsigned short, as WebSocket.close(code) converts its code.
function clampCode(v) {
  let n = Number(v);
  if (Number.isNaN(n)) return 0;
  n = Math.min(Math.max(n, 0), 65535);
  const f = Math.floor(n);
  const d = n - f;
  if (d > 0.5 || (d === 0.5 && f % 2 === 1)) return f + 1;
  return f;
}

const toUSV = (s) => {
  s = String(s);
  return typeof s.toWellFormed === "function" ? s.toWellFormed() : s;
};

function syntaxError(msg) {
  return new DOMException(msg, "SyntaxError");
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const Close =
  typeof CloseEvent === "function"
    ? CloseEvent
    : class CloseEvent extends Event {
        #code;
        #reason;
        #wasClean;
        constructor(type, init = {}) {
          super(type, init);
          this.#code = init.code ?? 0;
          this.#reason = init.reason ?? "";
          this.#wasClean = init.wasClean ?? false;
        }
        get code() {
          return this.#code;
        }
        get reason() {
          return this.#reason;
        }
        get wasClean() {
          return this.#wasClean;
        }
      };

const NUMBER_OPTIONS = [
  "minDelayMs",
  "maxDelayMs",
  "factor",
  "jitter",
  "maxRetries",
  "maxElapsedMs",
  "maxQueued",
  "maxQueuedBytes",
  "connectTimeoutMs",
  "heartbeatMs",
];

function normalizeOptions(options, socket) {
  const out = {};
  if (options === undefined || options === null) return out;
  if (typeof options !== "object") throw new TypeError("redial-ws: options must be an object");
  for (const key of Object.keys(options)) {
    const v = options[key];
    if (v === undefined) continue;
    if (NUMBER_OPTIONS.includes(key)) {
      if (typeof v !== "number" || Number.isNaN(v) || v < 0) {
        throw new TypeError(`redial-ws: option ${key} must be a number ≥ 0, not ${String(v)}`);
      }
      out[key] = v;
    } else if (key === "shouldReconnect") {
      if (typeof v !== "function") throw new TypeError("redial-ws: option shouldReconnect must be a function");
      out.shouldReconnect = (code, reason) => {
        rt.depth++; // called by Go, like the event callbacks
        try {
          return v.call(socket, code, reason);
        } catch (err) {
          reportError(err);
          return undefined; // fall back to the default policy
        } finally {
          rt.depth--;
        }
      };
    } else if (key === "resume") {
      if (v) throw new TypeError("redial-ws: option resume is not supported by this build yet");
    } else {
      throw new TypeError(`redial-ws: unknown option ${JSON.stringify(key)}`);
    }
  }
  if (out.factor !== undefined && out.factor < 1) throw new RangeError("redial-ws: option factor must be ≥ 1");
  if (out.jitter !== undefined && out.jitter > 1) throw new RangeError("redial-ws: option jitter must be between 0 and 1");
  if (out.minDelayMs !== undefined && out.maxDelayMs !== undefined && out.minDelayMs > out.maxDelayMs) {
    throw new RangeError("redial-ws: option minDelayMs must not exceed maxDelayMs");
  }
  return out;
}

function reportError(err) {
  if (typeof globalThis.reportError === "function") globalThis.reportError(err);
  else console.error(err);
}

/**
 * A WebSocket that reconnects. Drop-in for WebSocket: same properties,
 * methods and events; `open` fires on every (re)connection and `close` on
 * every disconnect (with `willReconnect`); `send` queues while connecting.
 */
export class RedialSocket extends EventTarget {
  static CONNECTING = CONNECTING;
  static OPEN = OPEN;
  static CLOSING = CLOSING;
  static CLOSED = CLOSED;

  #url;
  #origin;
  #protocol = "";
  #readyState = CONNECTING;
  #state = "connecting";
  #attempt = 0;
  #binaryType = "blob";
  #handle = null; // the Go side, until the final close
  #id = 0;
  #handlers = new Map(); // "open" → { fn, listener }
  #discarded = 0; // bytes sent after close (WebSocket counts them too)
  #chain = []; // sends waiting behind a Blob being read, in order
  #chainBytes = 0;
  #pumping = false;
  #closeArgs = null; // close() waiting for #chain to drain
  #closeCalled = false; // the page called close(): only the final events are left
  #errorsLeft = 0; // error events still due after close() (see #gone)

  /**
   * @param {string | URL} url
   * @param {string | string[]} [protocols]
   * @param {object} [options]
   */
  constructor(url, protocols, options) {
    super();
    const r = runtimeOrThrow();
    let u;
    try {
      u = new URL(String(url), baseURL());
    } catch {
      throw syntaxError(`Failed to construct 'RedialSocket': The URL '${String(url)}' is invalid.`);
    }
    if (u.protocol === "http:") u.protocol = "ws:";
    else if (u.protocol === "https:") u.protocol = "wss:";
    if (u.protocol !== "ws:" && u.protocol !== "wss:") {
      throw syntaxError(
        `Failed to construct 'RedialSocket': The URL's scheme must be either 'http', 'https', 'ws', or 'wss'. '${u.protocol.slice(0, -1)}' is not allowed.`,
      );
    }
    if (u.hash !== "" || String(url).includes("#")) {
      throw syntaxError(
        `Failed to construct 'RedialSocket': The URL contains a fragment identifier ('${u.hash}'). Fragment identifiers are not allowed in WebSocket URLs.`,
      );
    }
    const protos = protocols === undefined ? [] : typeof protocols === "string" ? [protocols] : Array.from(protocols, String);
    const seen = new Set();
    for (const p of protos) {
      if (!TOKEN.test(p)) {
        throw syntaxError(`Failed to construct 'RedialSocket': The subprotocol '${p}' is invalid.`);
      }
      if (seen.has(p)) {
        throw syntaxError(`Failed to construct 'RedialSocket': The subprotocol '${p}' is duplicated.`);
      }
      seen.add(p);
    }
    const opts = normalizeOptions(options, this);
    this.#url = u.href;
    this.#origin = u.origin;
    // Go calls these synchronously, one at a time, in order. Each applies
    // its state change when its event is dispatched, so readyState and the
    // events a listener sees always agree.
    const callbacks = {
      open: (protocol, attempt) => deliver(() => this.#onOpen(protocol, attempt)),
      messages: (n, ptr) => {
        if (this.#closeCalled) return;
        // Read them all now: the bytes live in Go memory only during this
        // call, and a handler may make Go grow (and so detach) that memory.
        const buf = r.mem.buffer;
        const meta = new Uint32Array(buf, ptr, 3 * n);
        const got = new Array(2 * n);
        for (let i = 0; i < n; i++) {
          const binary = meta[3 * i] === 1;
          const p = meta[3 * i + 1];
          const len = meta[3 * i + 2];
          got[2 * i] = binary;
          got[2 * i + 1] = binary ? buf.slice(p, p + len) : len === 0 ? "" : decoder.decode(new Uint8Array(buf, p, len));
        }
        for (let i = 0; i < n; i++) {
          if (this.#closeCalled) break; // a handler of this batch called close()
          const binary = got[2 * i];
          const data = got[2 * i + 1];
          deliver(() => this.#onMessage(binary, data));
        }
      },
      close: (code, reason, wasClean, willReconnect) =>
        deliver(() => this.#onClose(code, reason, wasClean, willReconnect)),
      error: (message) =>
        deliver(() => {
          if (!this.#gone("error")) this.#onError(message);
        }),
      reconnecting: (attempt, delayMs, code, reason) =>
        deliver(() => this.#onReconnecting(attempt, delayMs, code, reason)),
      statechange: (state) => deliver(() => this.#onStateChange(state)),
    };
    this.#handle = check(callGo(() => r.api.dial(this.#url, protos, opts, callbacks)));
    this.#id = this.#handle.id;
  }

  get url() {
    return this.#url;
  }
  get readyState() {
    return this.#readyState;
  }
  /** The subprotocol the server chose on the current (or last) connection. */
  get protocol() {
    return this.#protocol;
  }
  get extensions() {
    return "";
  }
  /** Bytes queued (SDK send queue, the browser socket, Blobs being read) and not yet sent. */
  get bufferedAmount() {
    let n = this.#discarded + this.#chainBytes;
    if (this.#handle !== null && !rt.exited) n += Math.max(0, rt.exports.redial_buffered(this.#id));
    return n;
  }
  get binaryType() {
    return this.#binaryType;
  }
  set binaryType(v) {
    if (v === "blob" || v === "arraybuffer") this.#binaryType = v;
  }
  /** "connecting" | "open" | "reconnecting" | "closed" */
  get state() {
    return this.#state;
  }
  /** The retry number: of the pending reconnect, or the one that opened the current connection. */
  get attempt() {
    return this.#attempt;
  }
  get [Symbol.toStringTag]() {
    return "RedialSocket";
  }

  /**
   * Sends data, queued in order; unlike WebSocket it is accepted while
   * connecting or reconnecting. Throws when the bounded queue is full.
   * @param {string | ArrayBufferLike | ArrayBufferView | Blob} data
   */
  send(data) {
    if (arguments.length === 0) {
      throw new TypeError("Failed to execute 'send' on 'RedialSocket': 1 argument required, but only 0 present.");
    }
    if (typeof data !== "string" && !(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data) && !isBlob(data)) {
      data = typeof SharedArrayBuffer !== "undefined" && data instanceof SharedArrayBuffer ? data : toUSV(data);
    }
    if (this.#readyState === CLOSING || this.#readyState === CLOSED || this.#handle === null) {
      this.#discarded += sizeOf(data); // as WebSocket: dropped, but counted
      return;
    }
    if (this.#chain.length > 0 || isBlob(data)) {
      this.#chain.push(data);
      this.#chainBytes += sizeOf(data);
      this.#pump();
      return;
    }
    this.#sendNow(data);
  }

  #sendNow(data) {
    if (rt.exited) throw new Error("redial-ws: the wasm runtime has exited (see the console for why)");
    let n;
    const binary = typeof data !== "string";
    if (!binary) {
      // At most 3 bytes per UTF-16 unit; count exactly only when that
      // bound would grow the buffer (wasm memory never shrinks).
      const max = data.length * 3;
      n = encoder.encodeInto(data, scratch(max <= rt.cap ? max : utf8Length(data))).written;
    } else {
      const bytes = asBytes(data);
      scratch(bytes.length).set(bytes);
      n = bytes.length;
    }
    if (rt.exports.redial_send(this.#id, binary ? 1 : 0, n) === 0) {
      scheduleKick();
      return;
    }
    // Not queued: the js.Func path lets Go drain the queue and retries, or
    // returns the worded error.
    const h = this.#handle;
    const r = callGo(() => (binary ? h.sendBinary(n) : h.sendText(n)));
    if (r !== undefined) {
      if (r?.code === "closed") {
        // The final close is on its way to this page: drop, as WebSocket would.
        this.#discarded += sizeOf(data);
        return;
      }
      check(r);
    }
  }

  // Sends what waits behind a Blob, in order, reading each Blob first.
  async #pump() {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#chain.length > 0) {
        let d = this.#chain[0];
        const size = sizeOf(d);
        if (isBlob(d)) {
          try {
            d = await d.arrayBuffer();
          } catch (err) {
            this.#chain.shift();
            this.#chainBytes -= size;
            this.#onError(`redial-ws: could not read a Blob to send: ${err?.message ?? err}`);
            continue;
          }
        }
        this.#chain.shift();
        this.#chainBytes -= size;
        if (this.#handle === null) continue; // closed for good meanwhile
        try {
          this.#sendNow(d);
        } catch (err) {
          this.#onError(err?.message ?? String(err));
        }
      }
    } finally {
      this.#pumping = false;
    }
    if (this.#closeArgs && this.#handle !== null) {
      const [code, reason] = this.#closeArgs;
      this.#closeArgs = null;
      const h = this.#handle;
      check(callGo(() => h.close(code, reason)));
    }
  }

  /**
   * Closes for good, as WebSocket.close: code 1000 or 3000–4999, a reason of
   * at most 123 UTF-8 bytes. Queued messages are sent first.
   * @param {number} [code]
   * @param {string} [reason]
   */
  close(code, reason) {
    if (code !== undefined) {
      code = clampCode(code);
      if (code !== 1000 && (code < 3000 || code > 4999)) {
        throw new DOMException(
          `Failed to execute 'close' on 'RedialSocket': The close code must be either 1000, or between 3000 and 4999. ${code} is neither.`,
          "InvalidAccessError",
        );
      }
    }
    let why = "";
    if (reason !== undefined) {
      why = toUSV(reason);
      if (utf8Length(why) > 123) {
        throw syntaxError("Failed to execute 'close' on 'RedialSocket': The close reason must not be greater than 123 UTF-8 bytes.");
      }
    }
    if (this.#readyState === CLOSING || this.#readyState === CLOSED || this.#handle === null) return;
    this.#readyState = CLOSING;
    this.#closeCalled = true;
    // Closed before any connection was up: WebSocket fails the connection,
    // which fires error, then close 1006; Go reports that error.
    this.#errorsLeft = this.#state === "connecting" ? 1 : 0;
    if (this.#pumping || this.#chain.length > 0) {
      this.#closeArgs = [code ?? 1000, why];
      return;
    }
    const h = this.#handle;
    check(callGo(() => h.close(code ?? 1000, why)));
  }

  // Whether an event Go reports must be dropped because the page called
  // close(). From then on a WebSocket fires only its final events (WHATWG
  // WebSockets Standard, "Feedback from the protocol": close() makes
  // readyState CLOSING, a message received while readyState is not OPEN is
  // not dispatched, and close() while CONNECTING fails the connection, so
  // no open follows; Chromium does the same, see test/js/afterclose.test.js).
  // RedialSocket keeps to that and adds no reconnecting: what is left is
  // the statechange to "closed", the one close event and, when closed
  // before the first connection, the error WebSocket fires before it. Go
  // may have handed over the others already (a batch of messages, the
  // events of one state change) when a handler called close(), so they
  // are dropped here, as each is dispatched.
  #gone(type) {
    if (!this.#closeCalled) return false;
    if (type === "error") return this.#errorsLeft-- <= 0;
    return true;
  }

  #onStateChange(state) {
    if (state !== "closed" && this.#gone("statechange")) return;
    this.#state = state;
    if (this.#readyState !== CLOSING || state === "closed") {
      this.#readyState = state === "open" ? OPEN : state === "closed" ? CLOSED : CONNECTING;
    }
    this.#fire(Object.assign(new Event("statechange"), { state }));
  }

  #onOpen(protocol, attempt) {
    if (this.#gone("open")) return;
    if (this.#readyState !== CLOSING) this.#readyState = OPEN;
    this.#protocol = protocol;
    this.#attempt = attempt;
    this.#fire(new Event("open"));
  }

  #onMessage(binary, data) {
    if (this.#gone("message")) return;
    if (binary && this.#binaryType === "blob") data = new Blob([data]);
    this.#fire(new MessageEvent("message", { data, origin: this.#origin }));
  }

  #onClose(code, reason, wasClean, willReconnect) {
    if (this.#handle === null) return; // the final close went out: one, ever
    if (willReconnect && this.#gone("close")) return; // only the final one is left
    if (!willReconnect) {
      this.#readyState = CLOSED;
      this.#state = "closed";
      this.#handle = null; // its Go functions are released after this event
      this.#chain = [];
      this.#chainBytes = 0;
    } else if (this.#readyState !== CLOSING) {
      this.#readyState = CONNECTING;
    }
    const ev = new Close("close", { code, reason, wasClean });
    Object.defineProperty(ev, "willReconnect", { value: willReconnect, enumerable: true });
    this.#fire(ev);
  }

  #onError(message) {
    this.#fire(Object.assign(new Event("error"), { message }));
  }

  #onReconnecting(attempt, delayMs, code, reason) {
    if (this.#gone("reconnecting")) return;
    this.#attempt = attempt;
    this.#fire(Object.assign(new Event("reconnecting"), { attempt, delayMs, code, reason }));
  }

  // Never let a throw go back into Go.
  #fire(ev) {
    try {
      this.dispatchEvent(ev);
    } catch (err) {
      reportError(err);
    }
  }

  #getHandler(type) {
    return this.#handlers.get(type)?.fn ?? null;
  }

  // As an event handler attribute: one listener, added when first set to a
  // function (keeping its place among addEventListener ones), removed on null.
  #setHandler(type, fn) {
    const h = this.#handlers.get(type);
    if (typeof fn !== "function" && (typeof fn !== "object" || fn === null)) {
      if (h) {
        this.removeEventListener(type, h.listener);
        this.#handlers.delete(type);
      }
      return;
    }
    if (h) {
      h.fn = fn;
      return;
    }
    const entry = { fn, listener: null };
    entry.listener = (ev) => {
      const f = entry.fn;
      if (typeof f === "function") return f.call(this, ev);
    };
    this.#handlers.set(type, entry);
    this.addEventListener(type, entry.listener);
  }

  get onopen() {
    return this.#getHandler("open");
  }
  set onopen(f) {
    this.#setHandler("open", f);
  }
  get onmessage() {
    return this.#getHandler("message");
  }
  set onmessage(f) {
    this.#setHandler("message", f);
  }
  get onclose() {
    return this.#getHandler("close");
  }
  set onclose(f) {
    this.#setHandler("close", f);
  }
  get onerror() {
    return this.#getHandler("error");
  }
  set onerror(f) {
    this.#setHandler("error", f);
  }
  get onreconnecting() {
    return this.#getHandler("reconnecting");
  }
  set onreconnecting(f) {
    this.#setHandler("reconnecting", f);
  }
  get onstatechange() {
    return this.#getHandler("statechange");
  }
  set onstatechange(f) {
    this.#setHandler("statechange", f);
  }
}

for (const [name, value] of Object.entries({ CONNECTING, OPEN, CLOSING, CLOSED })) {
  Object.defineProperty(RedialSocket.prototype, name, { value, enumerable: true });
}

/** The package version; load() checks that redial.wasm is the same. */
export const version = VERSION;
