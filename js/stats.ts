// RedialSocket.stats: the shape of wasm/stats.go's object.

/**
 * RedialSocket.stats: the Go Conn's counters (sdk.Stats, wasm/stats.go).
 * Counts since the socket was made; durations in milliseconds.
 */
export interface RedialStats {
  /** Connection attempts started, the first included. */
  readonly attempts: number;
  /** Connections opened after the first one. */
  readonly reconnects: number;
  /** Messages received from the server, and their payload bytes. */
  readonly messagesIn: number;
  readonly bytesIn: number;
  /** Messages the browser socket accepted, and their payload bytes (a replay in resume mode counts again). */
  readonly messagesOut: number;
  readonly bytesOut: number;
  /** The send queue now: messages and bytes not yet accepted (in resume mode, not yet acknowledged). */
  readonly queuedMessages: number;
  readonly queuedBytes: number;
  /** The last heartbeat ping's round trip, resume mode only (a browser cannot ping); 0 while none. */
  readonly lastRTTMs: number;
  /** Time in each state; they sum to the socket's age (until its final close). */
  readonly timeConnectingMs: number;
  readonly timeOpenMs: number;
  readonly timeReconnectingMs: number;
  readonly timeClosedMs: number;
}

/** The stats of a socket whose Go side never existed or is gone before any read. */
export const zeroStats: RedialStats = Object.freeze({
  attempts: 0,
  reconnects: 0,
  messagesIn: 0,
  bytesIn: 0,
  messagesOut: 0,
  bytesOut: 0,
  queuedMessages: 0,
  queuedBytes: 0,
  lastRTTMs: 0,
  timeConnectingMs: 0,
  timeOpenMs: 0,
  timeReconnectingMs: 0,
  timeClosedMs: 0,
});
