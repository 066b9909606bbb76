// redial-ws: a WebSocket that stays up. The Go SDK (github.com/redial-ws/redial/sdk),
// compiled to WebAssembly, behind a drop-in WebSocket-compatible class.
//
//   import { load, RedialSocket } from "redial-ws";
//   await load(new URL("redial-ws/redial.wasm", import.meta.url)); // Vite, webpack 5; others: js/README.md
//   const ws = new RedialSocket("wss://example.com/feed");
//
// Modules: load.ts (load()), source.ts (what load() takes), bridge.ts (the Go side: wasm/main.go's
// contract), socket.ts (RedialSocket), events.ts and options.ts (their
// types), webidl.ts (WebSocket's argument checks). scripts/bundle.mjs
// bundles them, Go's wasm_exec.js and the SDK's sdk/jshelper.js into
// dist/index.js; tsc writes the types.
export { load, type LoadOptions, type WasmSource } from "./load.js";
export { RedialSocket } from "./socket.js";
export type { RedialOptions, WebSocketConstructorLike } from "./options.js";
export type { RedialStats } from "./stats.js";
export type {
  Handler,
  RedialCloseEvent,
  RedialErrorEvent,
  RedialReconnectingEvent,
  RedialSocketEventMap,
  RedialState,
  RedialStateChangeEvent,
} from "./events.js";
export { version } from "./version.js";
