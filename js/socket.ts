// RedialSocket: the WebSocket-compatible class over a socket's Go side.
import { callGo, check, deliver, goSend, readMessages, reportError, runtimeOrThrow, type GoCallbacks, type GoHandle, type Runtime } from "./bridge.js";
import {
  closeEvent,
  errorEvent,
  HandlerSlots,
  reconnectingEvent,
  stateChangeEvent,
  type Handler,
  type RedialCloseEvent,
  type RedialErrorEvent,
  type RedialReconnectingEvent,
  type RedialSocketEventMap,
  type RedialState,
  type RedialStateChangeEvent,
} from "./events.js";
import { normalizeOptions, type RedialOptions } from "./options.js";
import { zeroStats, type RedialStats } from "./stats.js";
import { baseURL, clampCode, isBlob, sendData, sizeOf, socketURL, subprotocols, syntaxError, toUSV, utf8Length, type SendData } from "./webidl.js";

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

type ReadyState = typeof CONNECTING | typeof OPEN | typeof CLOSING | typeof CLOSED;

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
 *
 * To TypeScript a RedialSocket is a WebSocket (assignable to `WebSocket`
 * and, the class, to `typeof WebSocket`). Its `onopen`, `onmessage`,
 * `onclose` and `onerror` take handlers written for WebSocket or for
 * RedialSocket's richer events; read back, they are typed as WebSocket's.
 */
export class RedialSocket extends EventTarget {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;
  declare readonly CONNECTING: typeof CONNECTING;
  declare readonly OPEN: typeof OPEN;
  declare readonly CLOSING: typeof CLOSING;
  declare readonly CLOSED: typeof CLOSED;

  readonly #rt: Runtime;
  #url: string;
  #origin: string;
  #protocol = "";
  #readyState: ReadyState = CONNECTING;
  #state: RedialState = "connecting";
  #attempt = 0;
  #binaryType: BinaryType = "blob";
  #handle: GoHandle | null = null; // the Go side, until the final close
  #id = 0;
  #handlers = new HandlerSlots(this);
  #discarded = 0; // bytes sent after close (WebSocket counts them too)
  #chain: SendData[] = []; // sends waiting behind a Blob being read, in order
  #chainBytes = 0;
  #pumping = false;
  #closeArgs: [number, string] | null = null; // close() waiting for #chain to drain
  #closeCalled = false; // the page called close(): only the final events are left
  #errorsLeft = 0; // error events still due after close() (see #gone)
  #finalStats: RedialStats | null = null; // stats at the final close (the Go side is gone after)

  /**
   * Throws "redial-ws: call load({wasmURL}) before new RedialSocket" before
   * load() resolved, a SyntaxError DOMException for a URL or subprotocol
   * WebSocket would refuse, a TypeError for a bad option.
   */
  constructor(url: string | URL, protocols?: string | string[], options?: RedialOptions) {
    super();
    const r = runtimeOrThrow();
    this.#rt = r;
    const u = socketURL(url, baseURL());
    const protos = subprotocols(protocols);
    const opts = normalizeOptions(options, this, r);
    this.#url = u.href;
    this.#origin = u.origin;
    this.#handle = check(callGo(r, () => r.api.dial(this.#url, protos, opts, this.#callbacks(r))));
    this.#id = this.#handle.id;
  }

  // Go calls these synchronously, one at a time, in order. Each applies
  // its state change when its event is dispatched, so readyState and the
  // events a listener sees always agree.
  #callbacks(r: Runtime): GoCallbacks {
    return {
      open: (protocol, attempt) => deliver(r, () => this.#onOpen(protocol, attempt)),
      messages: (n, ptr) => {
        if (this.#closeCalled) return;
        for (const [binary, data] of readMessages(r, n, ptr)) {
          if (this.#closeCalled) break; // a handler of this batch called close()
          deliver(r, () => this.#onMessage(binary, data));
        }
      },
      close: (code, reason, wasClean, willReconnect) => deliver(r, () => this.#onClose(code, reason, wasClean, willReconnect)),
      error: (message) =>
        deliver(r, () => {
          if (!this.#gone("error")) this.#onError(message);
        }),
      reconnecting: (attempt, delayMs, code, reason) => deliver(r, () => this.#onReconnecting(attempt, delayMs, code, reason)),
      statechange: (state) => deliver(r, () => this.#onStateChange(state as RedialState)),
    };
  }

  get url(): string {
    return this.#url;
  }
  get readyState(): ReadyState {
    return this.#readyState;
  }
  /** The subprotocol the server chose on the current (or last) connection. */
  get protocol(): string {
    return this.#protocol;
  }
  /** Always "": the browser's WebSocket negotiates no extension for redial. */
  get extensions(): string {
    return "";
  }
  /** Bytes queued (SDK send queue, the browser socket, Blobs being read) and not yet sent. */
  get bufferedAmount(): number {
    let n = this.#discarded + this.#chainBytes;
    if (this.#handle !== null && !this.#rt.exited) n += Math.max(0, this.#rt.exports.redial_buffered(this.#id));
    return n;
  }
  get binaryType(): BinaryType {
    return this.#binaryType;
  }
  set binaryType(v: BinaryType) {
    if (v === "blob" || v === "arraybuffer") this.#binaryType = v;
  }
  /** The SDK state: "connecting" | "open" | "reconnecting" | "closed". */
  get state(): RedialState {
    return this.#state;
  }
  /** The retry number: of the pending reconnect, or the one that opened the current connection. */
  get attempt(): number {
    return this.#attempt;
  }
  /**
   * Counters for a dashboard (Go's Conn.Stats, one call into Go): attempts,
   * reconnects, messages and bytes in/out, the send queue, the last ping's
   * round trip, time in each state (ms). After the final close: as at that close.
   */
  get stats(): RedialStats {
    return this.#readStats() ?? this.#finalStats ?? zeroStats;
  }
  #readStats(): RedialStats | null {
    const h = this.#handle;
    if (h === null || this.#rt.exited) return null;
    const st = callGo(this.#rt, () => h.stats());
    return st instanceof Error ? null : st;
  }
  get [Symbol.toStringTag](): string {
    return "RedialSocket";
  }

  /**
   * Queues data, in order; unlike WebSocket it is accepted while connecting
   * or reconnecting, and throws an Error when the bounded queue is full.
   * Delivery is at most once, as with WebSocket: a message still queued
   * survives a reconnect, but one the browser already put on the wire when
   * the connection died is lost (see README, Delivery).
   */
  send(data: SendData): void {
    if (arguments.length === 0) {
      throw new TypeError("Failed to execute 'send' on 'RedialSocket': 1 argument required, but only 0 present.");
    }
    data = sendData(data);
    if (this.#readyState === CLOSING || this.#readyState === CLOSED || this.#handle === null) {
      this.#discarded += sizeOf(data); // as WebSocket: dropped, but counted
      return;
    }
    if (this.#chain.length > 0 || isBlob(data)) {
      this.#chain.push(data);
      this.#chainBytes += sizeOf(data);
      void this.#pump();
      return;
    }
    this.#sendNow(data);
  }

  #sendNow(data: Exclude<SendData, Blob>): void {
    // Not queued because the final close is on its way to this page: drop,
    // as WebSocket would, but count it.
    if (!goSend(this.#rt, this.#id, this.#handle!, data)) this.#discarded += sizeOf(data);
  }

  // Sends what waits behind a Blob, in order, reading each Blob first.
  async #pump(): Promise<void> {
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
            this.#onError(`redial-ws: could not read a Blob to send: ${err instanceof Error ? err.message : String(err)}`);
            continue;
          }
        }
        this.#chain.shift();
        this.#chainBytes -= size;
        if (this.#handle === null) continue; // closed for good meanwhile
        try {
          this.#sendNow(d);
        } catch (err) {
          this.#onError(err instanceof Error ? err.message : String(err));
        }
      }
    } finally {
      this.#pumping = false;
    }
    if (this.#closeArgs && this.#handle !== null) {
      const [code, reason] = this.#closeArgs;
      this.#closeArgs = null;
      const h = this.#handle;
      check(callGo(this.#rt, () => h.close(code, reason)));
    }
  }

  /**
   * As WebSocket.close: InvalidAccessError for a code other than 1000 or
   * 3000–4999, SyntaxError for a reason over 123 UTF-8 bytes. Queued
   * messages are sent first. From the call on, as with WebSocket, no
   * `message` or `open` event fires (not even the rest of a burst already
   * received), nor `reconnecting`: only the `statechange` to "closed" and one
   * final `close` (after an `error` when closed before the first connection
   * was open). Calling it again does nothing.
   */
  close(code?: number, reason?: string): void {
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
    check(callGo(this.#rt, () => h.close(code ?? 1000, why)));
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
  #gone(type: keyof RedialSocketEventMap): boolean {
    if (!this.#closeCalled) return false;
    if (type === "error") return this.#errorsLeft-- <= 0;
    return true;
  }

  #onStateChange(state: RedialState): void {
    if (state !== "closed" && this.#gone("statechange")) return;
    this.#state = state;
    if (this.#readyState !== CLOSING || state === "closed") {
      this.#readyState = state === "open" ? OPEN : state === "closed" ? CLOSED : CONNECTING;
    }
    this.#fire(stateChangeEvent(state));
  }

  #onOpen(protocol: string, attempt: number): void {
    if (this.#gone("open")) return;
    if (this.#readyState !== CLOSING) this.#readyState = OPEN;
    this.#protocol = protocol;
    this.#attempt = attempt;
    this.#fire(new Event("open"));
  }

  #onMessage(binary: boolean, data: string | ArrayBuffer): void {
    if (this.#gone("message")) return;
    const payload = binary && this.#binaryType === "blob" ? new Blob([data]) : data;
    this.#fire(new MessageEvent("message", { data: payload, origin: this.#origin }));
  }

  #onClose(code: number, reason: string, wasClean: boolean, willReconnect: boolean): void {
    if (this.#handle === null) return; // the final close went out: one, ever
    if (willReconnect && this.#gone("close")) return; // only the final one is left
    if (!willReconnect) {
      this.#readyState = CLOSED;
      this.#state = "closed";
      this.#finalStats = this.#readStats();
      this.#handle = null; // its Go functions are released after this event
      this.#chain = [];
      this.#chainBytes = 0;
    } else if (this.#readyState !== CLOSING) {
      this.#readyState = CONNECTING;
    }
    this.#fire(closeEvent(code, reason, wasClean, willReconnect));
  }

  #onError(message: string): void {
    this.#fire(errorEvent(message));
  }

  #onReconnecting(attempt: number, delayMs: number, code: number, reason: string): void {
    if (this.#gone("reconnecting")) return;
    this.#attempt = attempt;
    this.#fire(reconnectingEvent(attempt, delayMs, code, reason));
  }

  // Never let a throw go back into Go.
  #fire(ev: Event): void {
    try {
      this.dispatchEvent(ev);
    } catch (err) {
      reportError(err);
    }
  }

  // Event handler attributes. Each setter takes a handler written for
  // RedialSocket (its events, `this` a RedialSocket) and so, by parameter
  // contravariance, one written for WebSocket too. Each getter of the four
  // WebSocket has is typed as WebSocket's: TypeScript checks a property by
  // its read type, and a function that needs RedialSocket's extras is not
  // one any WebSocket can call, so only this keeps RedialSocket assignable
  // to WebSocket under --strict (see test/types/consumer.ts).
  get onopen(): Handler<WebSocket, Event> {
    return this.#handlers.get("open");
  }
  set onopen(f: Handler<RedialSocket, Event>) {
    this.#handlers.set("open", f);
  }
  get onmessage(): Handler<WebSocket, MessageEvent> {
    return this.#handlers.get("message");
  }
  set onmessage(f: Handler<RedialSocket, MessageEvent>) {
    this.#handlers.set("message", f);
  }
  get onclose(): Handler<WebSocket, CloseEvent> {
    return this.#handlers.get("close");
  }
  set onclose(f: Handler<RedialSocket, RedialCloseEvent>) {
    this.#handlers.set("close", f);
  }
  get onerror(): Handler<WebSocket, Event> {
    return this.#handlers.get("error");
  }
  set onerror(f: Handler<RedialSocket, RedialErrorEvent>) {
    this.#handlers.set("error", f);
  }
  get onreconnecting(): Handler<RedialSocket, RedialReconnectingEvent> {
    return this.#handlers.get("reconnecting");
  }
  set onreconnecting(f: Handler<RedialSocket, RedialReconnectingEvent>) {
    this.#handlers.set("reconnecting", f);
  }
  get onstatechange(): Handler<RedialSocket, RedialStateChangeEvent> {
    return this.#handlers.get("statechange");
  }
  set onstatechange(f: Handler<RedialSocket, RedialStateChangeEvent>) {
    this.#handlers.set("statechange", f);
  }
}

// The typed overloads of addEventListener and removeEventListener (declared
// only: EventTarget's methods run).
export interface RedialSocket {
  addEventListener<K extends keyof RedialSocketEventMap>(
    type: K,
    listener: (this: RedialSocket, ev: RedialSocketEventMap[K]) => any,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof RedialSocketEventMap>(
    type: K,
    listener: (this: RedialSocket, ev: RedialSocketEventMap[K]) => any,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

for (const [name, value] of Object.entries({ CONNECTING, OPEN, CLOSING, CLOSED })) {
  Object.defineProperty(RedialSocket.prototype, name, { value, enumerable: true });
}
