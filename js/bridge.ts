// The Go side of a page, once load() started redial.wasm: the contract of
// wasm/main.go (globalThis.__redial, the redial_send and redial_buffered
// exports) and the rules for calling into it and taking events from it, and
// the messages in Go's memory both ways.
import type { RedialStats } from "./stats.js";
import { asBytes, utf8Length } from "./webidl.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A socket's Go side, as __redial.dial returns it (see wasm/handle.go). */
export interface GoHandle {
  readonly id: number;
  sendText(n: number): GoResult;
  sendBinary(n: number): GoResult;
  close(code: number, reason: string): GoResult;
  stats(): RedialStats | Error;
}

/** Go functions return an Error (with a .code) or a value: Go cannot throw into JS. */
export type GoResult = undefined | string | (Error & { code?: string });

/** What the page hands Go for each socket; Go calls them in order, one at a time. */
export interface GoCallbacks {
  open(protocol: string, attempt: number): void;
  messages(n: number, ptr: number): void;
  close(code: number, reason: string, wasClean: boolean, willReconnect: boolean): void;
  error(message: string): void;
  reconnecting(attempt: number, delayMs: number, code: number, reason: string): void;
  statechange(state: string): void;
}

/** globalThis.__redial. */
export interface GoAPI {
  readonly version: string;
  dial(url: string, protocols: string[], options: object, callbacks: GoCallbacks): GoHandle | Error;
  scratch(n: number): [number, number] | Error;
  kick(): void;
  live(): number;
}

export interface GoExports {
  readonly mem: WebAssembly.Memory;
  redial_send(id: number, binary: number, n: number): number;
  redial_buffered(id: number): number;
}

/** The running Go instance and the page's bookkeeping around it. */
export interface Runtime {
  api: GoAPI;
  exports: GoExports;
  mem: WebAssembly.Memory;
  exited: boolean;
  /** The scratch buffer in Go memory that outgoing messages are written to. */
  ptr: number;
  cap: number;
  view: Uint8Array | null;
  kickPending: boolean;
  /**
   * > 0 while Go calls the page from a browser event (it runs its
   * goroutines, the SDK's writer among them, before returning).
   */
  depth: number;
  /**
   * > 0 while the page calls Go through a js.Func; events Go produces
   * meanwhile wait in jobs for a microtask.
   */
  apiDepth: number;
  jobs: ((() => void) | undefined)[];
  head: number;
  drainPending: boolean;
  kick: () => void;
  drain: () => void;
}

/** The running Go instance, once load() succeeded. */
export let rt: Runtime | null = null;

/** Makes r the page's runtime (load() calls it once Go is up). */
export function setRuntime(api: GoAPI, exports: GoExports): Runtime {
  const r: Runtime = {
    api,
    exports,
    mem: exports.mem,
    exited: false,
    ptr: 0,
    cap: 0,
    view: null,
    kickPending: false,
    depth: 0,
    apiDepth: 0,
    jobs: [],
    head: 0,
    drainPending: false,
    kick: () => {
      r.kickPending = false;
      if (!r.exited) callGo(r, () => r.api.kick());
    },
    drain: () => drain(r),
  };
  rt = r;
  return r;
}

export function runtimeOrThrow(): Runtime {
  if (!rt) throw new Error("redial-ws: call load({wasmURL}) before new RedialSocket");
  if (rt.exited) throw new Error("redial-ws: the wasm runtime has exited (see the console for why)");
  return rt;
}

/**
 * A call into Go through a js.Func. Go runs all its ready goroutines before
 * it returns, and they may report events: those must not fire from inside
 * close() or send() (a WebSocket never does that), so deliver() queues them.
 */
export function callGo<T>(r: Runtime, fn: () => T): T {
  r.apiDepth++;
  try {
    return fn();
  } finally {
    r.apiDepth--;
  }
}

/**
 * Runs an event job from Go now, if Go was entered by a browser event of
 * its own, else (or while earlier jobs wait) queues it for a microtask.
 */
export function deliver(r: Runtime, job: () => void): void {
  if (r.apiDepth > 0 || r.head < r.jobs.length) {
    r.jobs.push(job);
    if (!r.drainPending) {
      r.drainPending = true;
      queueMicrotask(r.drain);
    }
    return;
  }
  r.depth++;
  try {
    job();
  } catch (err) {
    reportError(err);
  } finally {
    r.depth--;
  }
}

function drain(r: Runtime): void {
  r.drainPending = false;
  while (r.head < r.jobs.length) {
    const job = r.jobs[r.head];
    r.jobs[r.head++] = undefined;
    try {
      job?.();
    } catch (err) {
      reportError(err);
    }
  }
  r.jobs.length = 0;
  r.head = 0;
}

/**
 * Sends are queued by a plain wasm export (cheap); Go writes them to the
 * socket when it next runs, which kick() makes happen once per batch, unless
 * Go is running anyway (a send from an event handler).
 */
export function scheduleKick(r: Runtime): void {
  if (r.depth === 0 && !r.kickPending) {
    r.kickPending = true;
    queueMicrotask(r.kick);
  }
}

/** Throws the Error a Go function returned, else passes its value on. */
export function check<T>(v: T | Error | string): T {
  if (v instanceof Error) throw v;
  if (typeof v === "string") throw new Error(v);
  return v;
}

/**
 * The shared Go buffer outgoing messages are written into, as a view that is
 * re-made whenever it grew or the wasm memory grew (which detaches views).
 */
export function scratch(r: Runtime, n: number): Uint8Array {
  if (n > r.cap) {
    const [ptr, cap] = check(callGo(r, () => r.api.scratch(n)));
    r.ptr = ptr;
    r.cap = cap;
    r.view = null;
  }
  if (r.view === null || r.view.buffer !== r.mem.buffer) {
    r.view = new Uint8Array(r.mem.buffer, r.ptr, r.cap);
  }
  return r.view;
}

/**
 * The n messages Go handed over at ptr (three u32 each: binary, address,
 * length). Read them all at once: the bytes live in Go memory only during
 * the callback, and a handler may make Go grow (and so detach) that memory.
 */
export function readMessages(r: Runtime, n: number, ptr: number): [binary: boolean, data: string | ArrayBuffer][] {
  const buf = r.mem.buffer;
  const meta = new Uint32Array(buf, ptr, 3 * n);
  const got: [boolean, string | ArrayBuffer][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const binary = meta[3 * i] === 1;
    const p = meta[3 * i + 1];
    const len = meta[3 * i + 2];
    got[i] = [binary, binary ? buf.slice(p, p + len) : len === 0 ? "" : decoder.decode(new Uint8Array(buf, p, len))];
  }
  return got;
}

/**
 * Queues one message on socket id's send queue in Go: copied into the
 * scratch buffer, then the redial_send export, with one kick() per batch.
 * Returns false when Go dropped it because the socket's final close is on
 * its way; throws Go's worded error (a full queue, a message too big).
 */
export function goSend(r: Runtime, id: number, h: GoHandle, data: string | ArrayBufferLike | ArrayBufferView): boolean {
  if (r.exited) throw new Error("redial-ws: the wasm runtime has exited (see the console for why)");
  let n: number;
  const binary = typeof data !== "string";
  if (!binary) {
    // At most 3 bytes per UTF-16 unit; count exactly only when that
    // bound would grow the buffer (wasm memory never shrinks).
    const max = data.length * 3;
    n = encoder.encodeInto(data, scratch(r, max <= r.cap ? max : utf8Length(data))).written;
  } else {
    const bytes = asBytes(data);
    scratch(r, bytes.length).set(bytes);
    n = bytes.length;
  }
  if (r.exports.redial_send(id, binary ? 1 : 0, n) === 0) {
    scheduleKick(r);
    return true;
  }
  // Not queued: the js.Func path lets Go drain the queue and retries, or
  // returns the worded error.
  const res = callGo(r, () => (binary ? h.sendBinary(n) : h.sendText(n)));
  if (res !== undefined) {
    if (typeof res === "object" && res?.code === "closed") return false;
    check(res);
  }
  return true;
}

/** Reports an exception of a page's handler without throwing it into Go. */
export function reportError(err: unknown): void {
  if (typeof globalThis.reportError === "function") globalThis.reportError(err);
  else console.error(err);
}
