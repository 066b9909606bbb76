// RedialSocket's events: their types, how they are made, and the `on…`
// event handler attributes.

/** "connecting" | "open" | "reconnecting" | "closed": the SDK state. */
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

/** An event handler attribute's value: a function called with the socket as `this`, or null. */
export type Handler<This, E extends Event> = ((this: This, ev: E) => any) | null;

/** CloseEvent, or where a runtime has none an equivalent (Node has Event but no CloseEvent). */
const CloseEventClass: typeof CloseEvent =
  typeof CloseEvent === "function"
    ? CloseEvent
    : class CloseEvent extends Event {
        #code: number;
        #reason: string;
        #wasClean: boolean;
        constructor(type: string, init: CloseEventInit = {}) {
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

export function closeEvent(code: number, reason: string, wasClean: boolean, willReconnect: boolean): RedialCloseEvent {
  const ev = new CloseEventClass("close", { code, reason, wasClean });
  Object.defineProperty(ev, "willReconnect", { value: willReconnect, enumerable: true });
  return ev as RedialCloseEvent;
}

export const errorEvent = (message: string): RedialErrorEvent => Object.assign(new Event("error"), { message });

export const reconnectingEvent = (attempt: number, delayMs: number, code: number, reason: string): RedialReconnectingEvent =>
  Object.assign(new Event("reconnecting"), { attempt, delayMs, code, reason });

export const stateChangeEvent = (state: RedialState): RedialStateChangeEvent => Object.assign(new Event("statechange"), { state });

type Listener = (this: unknown, ev: Event) => unknown;

/**
 * The event handler attributes of one EventTarget, as HTML defines them:
 * one listener per type, added when first set to a function or object
 * (keeping its place among addEventListener ones), removed on null.
 */
export class HandlerSlots {
  readonly #target: EventTarget;
  readonly #slots = new Map<string, { fn: unknown; listener: (ev: Event) => unknown }>();

  constructor(target: EventTarget) {
    this.#target = target;
  }

  get(type: string): any {
    return this.#slots.get(type)?.fn ?? null;
  }

  set(type: string, fn: unknown): void {
    const h = this.#slots.get(type);
    if (typeof fn !== "function" && (typeof fn !== "object" || fn === null)) {
      if (h) {
        this.#target.removeEventListener(type, h.listener);
        this.#slots.delete(type);
      }
      return;
    }
    if (h) {
      h.fn = fn;
      return;
    }
    const target = this.#target;
    const entry = {
      fn,
      listener: (ev: Event): unknown => {
        const f = entry.fn;
        if (typeof f === "function") return (f as Listener).call(target, ev);
        return undefined;
      },
    };
    this.#slots.set(type, entry);
    target.addEventListener(type, entry.listener);
  }
}
