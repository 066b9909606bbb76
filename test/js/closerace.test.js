// Issue 8 §2 (data already received, thrown away; the close code lost):
// the server sends 200 messages and closes with a final 1008 while the page
// is sending. The failed send must not decide how the connection ended:
// every message arrives, then one close event with the server's 1008, and
// no reconnect.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { control, newPage, setup } from "./helpers.js";

let env;
let page;

before(async () => {
  env = await setup();
  ({ page } = await newPage(env));
});
after(async () => {
  await env?.close();
});

describe("server close while the page sends", { timeout: 60_000 }, () => {
  for (let round = 1; round <= 10; round++) {
    test(`final 1008 after 200 messages, page flooding sends (round ${round})`, async () => {
      await control(env, "/reset");
      const res = await page.evaluate(
        async ({ url }) => {
          const s = new window.redial.RedialSocket(url, undefined, { minDelayMs: 20, maxDelayMs: 60 });
          const rec = lib.record(s);
          await rec.waitType("open");
          const buf = new Uint8Array(1024);
          // Send until the socket leaves OPEN, yielding to the event loop
          // between bursts so messages and the close can come in.
          while (s.readyState === 1) {
            for (let i = 0; i < 64 && s.readyState === 1; i++) s.send(buf);
            await new Promise((r) => setTimeout(r, 0));
          }
          await rec.waitFor((e) => e.type === "close" && e.willReconnect === false, { ms: 10_000, what: "final close" });
          await lib.quiet(200);
          return {
            texts: rec.log.filter((e) => e.type === "message").map((e) => e.text),
            closes: rec.log.filter((e) => e.type === "close").map((e) => [e.code, e.reason, e.willReconnect]),
            others: rec.log.filter((e) => !["message", "close", "statechange", "error"].includes(e.type)).map((e) => e.type),
            last: rec.log.filter((e) => e.type !== "statechange").at(-1).type,
          };
        },
        { url: env.ws + "/closeafter?n=200&code=1008&reason=policy" },
      );
      assert.deepEqual(res.texts, Array.from({ length: 200 }, (_, i) => String(i + 1)), "messages 1..200, in order, once");
      assert.deepEqual(res.closes, [[1008, "policy", false]], "one close event: the server's final 1008");
      assert.deepEqual(res.others, ["open"], "no reconnecting event");
      assert.equal(res.last, "close");
      assert.equal(Number(await control(env, "/accepted")), 1, "no second connection");
    });
  }
});
