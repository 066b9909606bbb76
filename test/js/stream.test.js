// The option webSocketStream: RedialSocket over the browser's WebSocketStream
// (sdk.Options.WebSocketStream) dials a WebSocketStream, echoes text and
// binary in order, keeps a close code and reason; a non-boolean is refused.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { newPage, setup } from "./helpers.js";

let env;
let page;

before(async () => {
  env = await setup();
  ({ page } = await newPage(env));
});
after(async () => {
  await env?.close();
});

test("webSocketStream: true dials a WebSocketStream and echoes in order", async () => {
  const got = await page.evaluate(async (url) => {
    const S = globalThis.WebSocketStream;
    let made = 0;
    globalThis.WebSocketStream = class extends S {
      constructor(...a) {
        super(...a);
        made++;
      }
    };
    try {
      const ws = new window.redial.RedialSocket(url, [], { webSocketStream: true });
      ws.binaryType = "arraybuffer";
      const rec = lib.record(ws, ["open", "message", "close", "error"]);
      await rec.waitType("open");
      for (let i = 0; i < 50; i++) ws.send(i % 2 ? "t" + i : new Uint8Array([i]));
      await rec.waitType("message", 50, 10_000);
      ws.close(4001, "bye");
      await rec.waitType("close");
      const entries = await rec.entries();
      const msgs = entries.filter((e) => e.type === "message").map((e) => e.text ?? e.arraybuffer);
      const close = entries.find((e) => e.type === "close");
      return { made, msgs, code: close.code, reason: close.reason };
    } finally {
      globalThis.WebSocketStream = S;
    }
  }, env.ws + "/echo");
  assert.equal(got.made, 1, "one WebSocketStream dialled");
  assert.equal(got.msgs.length, 50);
  for (let i = 0; i < 50; i++) assert.deepEqual(got.msgs[i], i % 2 ? "t" + i : [i], `message ${i}`);
  assert.equal(got.code, 4001);
  assert.equal(got.reason, "bye");
});

test("webSocketStream must be a boolean", async () => {
  const msg = await page.evaluate((url) => {
    try {
      new window.redial.RedialSocket(url, [], { webSocketStream: "yes" });
      return "accepted";
    } catch (e) {
      return `${e.name}: ${e.message}`;
    }
  }, env.ws + "/echo");
  assert.match(msg, /^TypeError: .*webSocketStream must be a boolean, not "yes"$/);
});
