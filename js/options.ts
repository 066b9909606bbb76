// RedialSocket's options: their types and their checks.
import { reportError, type Runtime } from "./bridge.js";
import type { RedialSocket } from "./socket.js";

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
  /**
   * The resume protocol (docs/resume.md; needs a server that speaks it, such
   * as Go's github.com/redial-ws/redial/server): every message exactly once,
   * in order, both ways, across reconnects. A sent message stays queued
   * (maxQueued/maxQueuedBytes) until the server acknowledges it; the
   * heartbeat becomes a protocol ping, so a stalled socket is detected in
   * the browser too. A session the server no longer has ends the socket
   * with a final close event, code 4504. Default false.
   */
  resume?: boolean;
  /**
   * Connect with the browser's WebSocketStream where it has one (Chromium
   * 124+; https://github.com/ricea/websocketstream-explainer), else with
   * WebSocket: a page whose onmessage is slower than the server then holds
   * the server back through TCP flow control instead of buffering all that
   * arrives without bound (the tab reads a few messages ahead, at most 16 or
   * 256 KiB). The cost, why it is off by default: Chromium drops the messages
   * it had received but not yet handed over when the server closes or the
   * connection drops (resume mode redelivers them), and (Chromium 156) the
   * renderer can crash when writes are in flight and the server resets the
   * TCP connection, reproduced without redial. Ignored with the option
   * WebSocket. Default false.
   */
  webSocketStream?: boolean;
  /**
   * The WebSocket constructor to connect with instead of the global one, as
   * in reconnecting-websocket and partysocket: for Node < 22, which has no
   * global WebSocket, pass the `ws` package's (`import { WebSocket } from
   * "ws"`). It is called as `new WebSocket(url, protocols)`.
   */
  WebSocket?: WebSocketConstructorLike;
}

/** A constructor called as `new WebSocket(url, protocols)`: the global WebSocket, or one like it (the `ws` package's). */
export type WebSocketConstructorLike = new (url: string, protocols?: string | string[]) => unknown;

/** The error new RedialSocket throws where there is no WebSocket to connect with. */
export const NO_WEBSOCKET =
  "redial-ws: this JavaScript environment has no global WebSocket (Node before 22?): pass a constructor as the option WebSocket, " +
  'e.g. import { WebSocket } from "ws"; new RedialSocket(url, [], { WebSocket })';

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
] as const;

type NumberOption = (typeof NUMBER_OPTIONS)[number];

/** The options as the Go side takes them (wasm/options.go). */
export type GoOptions = Partial<Record<NumberOption, number>> & {
  shouldReconnect?: (code: number, reason: string) => boolean | undefined | void;
  WebSocket?: WebSocketConstructorLike;
  resume?: boolean;
  webSocketStream?: boolean;
};

const isNumberOption = (k: string): k is NumberOption => (NUMBER_OPTIONS as readonly string[]).includes(k);

/** A given value as a type error shows it: strings quoted, so `"5"` is not read as 5 nor `"yes"` as a keyword. */
const shown = (v: unknown): string => (typeof v === "string" ? JSON.stringify(v) : String(v));

/** Checks options (TypeError, RangeError) and converts them for Go. */
export function normalizeOptions(options: unknown, socket: RedialSocket, r: Runtime): GoOptions {
  const out: GoOptions = {};
  if (options === undefined || options === null) {
    if (typeof globalThis.WebSocket !== "function") throw new TypeError(NO_WEBSOCKET);
    return out;
  }
  if (typeof options !== "object") throw new TypeError("redial-ws: options must be an object");
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    const v = given[key];
    if (v === undefined) continue;
    if (isNumberOption(key)) {
      if (typeof v !== "number" || Number.isNaN(v) || v < 0) {
        throw new TypeError(`redial-ws: option ${key} must be a number ≥ 0, not ${shown(v)}`);
      }
      out[key] = v;
    } else if (key === "shouldReconnect") {
      if (typeof v !== "function") throw new TypeError("redial-ws: option shouldReconnect must be a function");
      out.shouldReconnect = (code, reason) => {
        r.depth++; // called by Go, like the event callbacks
        try {
          return v.call(socket, code, reason);
        } catch (err) {
          reportError(err);
          return undefined; // fall back to the default policy
        } finally {
          r.depth--;
        }
      };
    } else if (key === "WebSocket") {
      if (typeof v !== "function") {
        throw new TypeError(`redial-ws: option WebSocket must be a WebSocket constructor (e.g. the \`ws\` package's), not ${v === null ? "null" : typeof v}`);
      }
      out.WebSocket = v as WebSocketConstructorLike;
    } else if (key === "resume" || key === "webSocketStream") {
      if (typeof v !== "boolean") throw new TypeError(`redial-ws: option ${key} must be a boolean, not ${shown(v)}`);
      out[key] = v;
    } else {
      throw new TypeError(`redial-ws: unknown option ${JSON.stringify(key)}`);
    }
  }
  if (out.factor !== undefined && out.factor < 1) throw new RangeError("redial-ws: option factor must be ≥ 1");
  if (out.jitter !== undefined && out.jitter > 1) throw new RangeError("redial-ws: option jitter must be between 0 and 1");
  if (out.minDelayMs !== undefined && out.maxDelayMs !== undefined && out.minDelayMs > out.maxDelayMs) {
    throw new RangeError("redial-ws: option minDelayMs must not exceed maxDelayMs");
  }
  if (out.WebSocket === undefined && typeof globalThis.WebSocket !== "function") throw new TypeError(NO_WEBSOCKET);
  return out;
}
