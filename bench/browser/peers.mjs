// The JS peers as a page loads them (bundled by esbuild into bench/out/browser/peers.js):
// reconnecting-websocket's default export and partysocket's WebSocket (its
// reconnecting socket for any URL; PartySocket itself is for PartyKit rooms).
export { default as ReconnectingWebSocket } from "reconnecting-websocket";
export { WebSocket as PartySocket } from "partysocket";
