// A Node app using redial-ws as installed from npm (test/node/node.test.js
// copies it into an app folder beside node_modules/redial-ws and ws).
//
//   node app.mjs MODE WS_URL
//
// MODE says how redial.wasm is given to load() and which WebSocket is used:
// resolve (import.meta.resolve: a file: URL; the `ws` package), path (a file
// path), bytes (a Buffer), module (a WebAssembly.Module), global (no option:
// the runtime's global WebSocket), none (no option and no global: prints
// the error). Prints one line per event; after the second echo it closes.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

import { load, RedialSocket } from "redial-ws";
import { WebSocket } from "ws";

const [mode, url] = process.argv.slice(2);
const wasm = import.meta.resolve("redial-ws/redial.wasm");
const sources = {
  resolve: () => wasm,
  path: () => fileURLToPath(wasm),
  bytes: () => readFile(new URL(wasm)),
  module: async () => WebAssembly.compile(await readFile(new URL(wasm))),
  global: () => wasm,
  none: () => wasm,
};
await load(await sources[mode]());
const options = { minDelayMs: 20, maxDelayMs: 50 };
if (mode !== "global" && mode !== "none") options.WebSocket = WebSocket;
if (mode === "none") delete globalThis.WebSocket; // Node ≥ 22 has one
let socket;
try {
  socket = new RedialSocket(url, [], options);
} catch (err) {
  console.log(`threw ${err.constructor.name}: ${err.message}`);
  process.exit(0);
}
let opens = 0;
socket.onopen = () => {
  console.log(`open ${++opens}`);
  socket.send(`hello ${opens}`);
};
socket.onmessage = (e) => {
  console.log(`message ${e.data}`);
  if (opens === 2 || mode !== "resolve") socket.close(1000, "done");
};
socket.onclose = (e) => console.log(`close ${e.code} ${e.willReconnect}`);
