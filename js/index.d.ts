// Type declarations for redial-ws (hand-written; ships as dist/index.d.ts).

/** The package version; load() checks that redial.wasm matches it. */
export declare const version: string;

export interface LoadOptions {
  /** URL of redial.wasm (resolved against the page, like fetch). */
  wasmURL: string | URL;
  /**
   * URL of Go's wasm_exec.js. Default: "./wasm_exec.js" next to this module.
   * Not needed when the page already defines globalThis.Go.
   */
  wasmExecURL?: string | URL;
}

/**
 * Fetches and starts redial.wasm, once per page. The same URL returns the
 * same promise; another URL rejects. Rejects with a worded Error when the
 * file is missing ("redial-ws: could not fetch …/redial.wasm: HTTP 404") or
 * is not redial.wasm; a failed load may be retried.
 */
export declare function load(options: LoadOptions): Promise<void>;

/** Options mirror the Go sdk.Options, in camelCase. Every field is optional. */
export interface RedialOptions {
  /** Cap of the first backoff wait (Backoff.Initial); default 1000. */
  minDelayMs?: number;
  /** Cap of every backoff wait (Backoff.Max); default 30000. */
  maxDelayMs?: number;
  /** Backoff growth per attempt (Backoff.Multiplier), ≥ 1; default 2. */
  factor?: number;
  /** Randomized fraction of each wait, 0..1; default 1 (full jitter); 0 turns jitter off. */
  jitter?: number;
  /**
   * Consecutive failed attempts before giving up: 0 never reconnects,
   * Infinity (the default) retries for ever.
   */
  maxRetries?: number;
  /** Give up after retrying this long since the connection was lost; default unlimited. */
  maxElapsedMs?: number;
  /** Send-queue bound in messages; default 1024. */
  maxQueued?: number;
  /** Send-queue bound in bytes, also the largest message; default 1 MiB. */
  maxQueuedBytes?: number;
  /** Bound on one connection attempt; default 10000. */
  connectTimeoutMs?: number;
  /**
   * Heartbeat interval; default 25000; 0 turns it off. In the browser it is a
   * wall-clock check (no pings): after sleep, a frozen tab or a blocked main
   * thread, a socket that delivers a message lives on, one that stays silent
   * for min(heartbeatMs / 2, 10000) ms is replaced; messages it received are
   * delivered first.
   */
  heartbeatMs?: number;
  /**
   * Decides whether to reconnect after a failure: code and reason of the
   * close (1006 and "" when there was no close frame, or the attempt failed).
   * Return true or false to decide, undefined for the default policy.
   */
  shouldReconnect?: (this: RedialSocket, code: number, reason: string) => boolean | undefined | void;
  /** Reserved: the resume protocol is not in this build yet (true throws). */
  resume?: false;
}

export type RedialState = "connecting" | "open" | "reconnecting" | "closed";

/** `close` events: a CloseEvent plus willReconnect. */
export interface RedialCloseEvent extends CloseEvent {
  /** true when the socket will reconnect; false on the final close (always the last event). */
  readonly willReconnect: boolean;
}

/**
 * `error` events: a plain Event, as WebSocket's, plus a message. One fires for
 * every connection attempt that fails (then `reconnecting`, or the final
 * `close` 1006); a connection that drops fires only `close`, as in WebSocket.
 */
export interface RedialErrorEvent extends Event {
  /** What failed, worded (the browser itself tells pages nothing). */
  readonly message: string;
}

/** `reconnecting`: a retry is scheduled. */
export interface RedialReconnectingEvent extends Event {
  /** Retry number, from 1; resets after a connection stayed open 5 s. */
  readonly attempt: number;
  /** Wait before the attempt, in milliseconds. */
  readonly delayMs: number;
  /** Close code of the disconnect or failure (1006 when none was received). */
  readonly code: number;
  readonly reason: string;
}

/** `statechange`: the state property changed. */
export interface RedialStateChangeEvent extends Event {
  readonly state: RedialState;
}

export interface RedialSocketEventMap {
  open: Event;
  message: MessageEvent;
  close: RedialCloseEvent;
  error: RedialErrorEvent;
  reconnecting: RedialReconnectingEvent;
  statechange: RedialStateChangeEvent;
}

/**
 * A drop-in WebSocket that stays up: it reconnects with jittered backoff by
 * a close-code policy, and queues sends (bounded) while down.
 *
 * Differences from WebSocket, by design:
 * - `open` fires on every (re)connection and `close` on every disconnect;
 *   `close.willReconnect` is false only on the final close.
 * - `send` while CONNECTING (first connection or reconnecting) queues the
 *   message instead of throwing InvalidStateError; it throws an Error when the
 *   queue (maxQueued / maxQueuedBytes) is full.
 * - readyState goes back to CONNECTING while reconnecting.
 * - `close()` without a code sends 1000; closing before a connection was
 *   open ends with close code 1006, as a WebSocket closed while connecting.
 * - `extensions` is always "".
 *
 * As with WebSocket, events are dispatched from the event loop, never from
 * inside a method call (`close()`, `send()`), so listeners added right after
 * `new RedialSocket(...)` or `close()` see them.
 */
export declare class RedialSocket extends EventTarget {
  static readonly CONNECTING: 0;
  static readonly OPEN: 1;
  static readonly CLOSING: 2;
  static readonly CLOSED: 3;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;

  /**
   * Throws "redial-ws: call load({wasmURL}) before new RedialSocket" before
   * load() resolved, a SyntaxError DOMException for a URL or subprotocol
   * WebSocket would refuse, a TypeError for a bad option.
   */
  constructor(url: string | URL, protocols?: string | string[], options?: RedialOptions);

  readonly url: string;
  readonly readyState: 0 | 1 | 2 | 3;
  readonly protocol: string;
  readonly extensions: string;
  /** Bytes queued and not yet sent: the SDK send queue plus the browser socket. */
  readonly bufferedAmount: number;
  binaryType: BinaryType;
  /** The SDK state. */
  readonly state: RedialState;
  /** The pending retry number, or the one that opened the current connection. */
  readonly attempt: number;

  /**
   * Queues data, in order. Delivery is at most once, as with WebSocket: a
   * message still queued survives a reconnect, but one the browser already
   * put on the wire when the connection died is lost (see README, Delivery).
   */
  send(data: string | ArrayBufferLike | ArrayBufferView | Blob): void;
  /**
   * As WebSocket.close: InvalidAccessError for a code other than 1000 or 3000–4999, SyntaxError for a reason over 123 UTF-8 bytes.
   * From the call on, as with WebSocket, no `message` or `open` event fires (not even the rest of a burst already
   * received), nor `reconnecting`: only the `statechange` to "closed" and one final `close` (after an `error` when
   * closed before the first connection was open). Calling it again does nothing.
   */
  close(code?: number, reason?: string): void;

  onopen: ((this: RedialSocket, ev: Event) => any) | null;
  onmessage: ((this: RedialSocket, ev: MessageEvent) => any) | null;
  onclose: ((this: RedialSocket, ev: RedialCloseEvent) => any) | null;
  onerror: ((this: RedialSocket, ev: RedialErrorEvent) => any) | null;
  onreconnecting: ((this: RedialSocket, ev: RedialReconnectingEvent) => any) | null;
  onstatechange: ((this: RedialSocket, ev: RedialStateChangeEvent) => any) | null;

  addEventListener<K extends keyof RedialSocketEventMap>(
    type: K,
    listener: (this: RedialSocket, ev: RedialSocketEventMap[K]) => any,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof RedialSocketEventMap>(
    type: K,
    listener: (this: RedialSocket, ev: RedialSocketEventMap[K]) => any,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}
