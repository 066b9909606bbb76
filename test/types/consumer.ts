// A consumer of the published types: RedialSocket wherever a WebSocket is
// expected. `make lint` type-checks this file under --strict against
// dist/index.d.ts (resolved through package.json's "exports", as an
// application that installed redial-ws resolves it); it is never run.
import { load, RedialSocket, version, type RedialCloseEvent, type RedialOptions } from "redial-ws";

declare const url: string;

export async function consume(): Promise<void> {
  await load({ wasmURL: new URL("/redial.wasm", "https://example.com") });
  // Every form load() takes (each call would reject after the first: types only).
  await load("/redial.wasm");
  await load(new URL("redial-ws/redial.wasm", import.meta.url));
  await load(new Uint8Array(0));
  await load(new ArrayBuffer(0));
  await load(fetch("/redial.wasm"));
  await load(WebAssembly.compileStreaming(fetch("/redial.wasm")));
  // A WebSocket constructor (the global here; the ws package's under Node 20).
  new RedialSocket(url, [], { WebSocket });
  const v: string = version;

  // 1. A RedialSocket is a WebSocket.
  const ws: WebSocket = new RedialSocket(url);

  // 2. Passed where a WebSocket is expected.
  function useSocket(s: WebSocket): number {
    s.binaryType = "arraybuffer";
    s.send("hello");
    s.send(new Uint8Array([1, 2, 3]));
    s.close(1000, "done");
    return s.readyState + s.bufferedAmount;
  }
  useSocket(new RedialSocket(url, ["chat"], { maxRetries: 3 }));

  // 3. The class where a WebSocket constructor is expected (as a
  //    reconnecting-websocket/partysocket `WebSocket` option takes one).
  const C: typeof WebSocket = RedialSocket;
  const fromCtor: WebSocket = new C(url, "chat");
  const open: number = C.OPEN;

  // 4. WebSocket-typed handlers on a RedialSocket.
  const s = new RedialSocket(url);
  const onClose = function (this: WebSocket, ev: CloseEvent): void {
    console.log(this.url, ev.code, ev.reason, ev.wasClean);
  };
  const onMessage = function (this: WebSocket, ev: MessageEvent): void {
    console.log(this.readyState, ev.data);
  };
  const onError = (ev: Event): void => console.log(ev.type);
  const onOpen = (ev: Event): void => console.log(ev.type);
  s.onclose = onClose;
  s.onmessage = onMessage;
  s.onerror = onError;
  s.onopen = onOpen;
  s.addEventListener("close", onClose);
  s.addEventListener("message", onMessage);
  ws.onclose = onClose;
  ws.onmessage = onMessage;

  // 5. redial's own extras keep their types.
  s.onclose = (ev) => console.log(ev.willReconnect, ev.code);
  s.onerror = (ev) => console.log(ev.message);
  s.onreconnecting = (ev) => console.log(ev.attempt, ev.delayMs, ev.code, ev.reason);
  s.onstatechange = function (ev) {
    console.log(this.state, ev.state, this.attempt);
  };
  s.addEventListener("close", (ev: RedialCloseEvent) => console.log(ev.willReconnect));
  s.addEventListener("reconnecting", (ev) => console.log(ev.delayMs));
  const opts: RedialOptions = { shouldReconnect: (code, reason) => code !== 4000 && reason !== "bye" };
  void [v, fromCtor, open, opts];
}
