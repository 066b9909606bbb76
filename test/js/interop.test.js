// Interop with a foreign server: the `ws` package (Node), not our Go server.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { compatView, newPage, setup } from "./helpers.js";

let env;
let page;

before(async () => {
  env = await setup({ ws: true });
  ({ page } = await newPage(env));
});
after(async () => {
  await env?.close();
});

describe("with a `ws` server", { timeout: 60_000 }, () => {
  test("echo of text and binary, then a clean close", async () => {
    const res = await page.evaluate(async (url) => {
      const run = async (ws) => {
        ws.binaryType = "arraybuffer";
        const rec = lib.record(ws);
        await rec.waitType("open");
        ws.send("hi from the browser");
        ws.send(new Uint8Array([0, 1, 254, 255]));
        ws.send(new Blob(["blob text"]));
        await rec.waitType("message", 3);
        ws.close(1000, "thanks");
        await rec.waitType("close");
        return rec.entries();
      };
      return { raw: await run(new WebSocket(url)), redial: await run(new window.redial.RedialSocket(url)) };
    }, env.foreign + "/echo");
    assert.deepEqual(compatView(res.redial), compatView(res.raw));
    assert.deepEqual(
      res.redial.filter((e) => e.type === "message").map((e) => e.text ?? e.arraybuffer),
      ["hi from the browser", [0, 1, 254, 255], [98, 108, 111, 98, 32, 116, 101, 120, 116]],
    );
  });

  test("the server's close code and reason arrive intact", async () => {
    const reason = "bye from ws ✓";
    const res = await page.evaluate(
      async ({ base, reason }) => {
        const out = {};
        for (const [code, name] of [
          [4321, "app"],
          [1001, "goingAway"],
          [4501, "final"],
        ]) {
          const url = `${base}/close?code=${code}&reason=${encodeURIComponent(reason)}`;
          const raw = new WebSocket(url);
          const rawRec = lib.record(raw);
          const r = new window.redial.RedialSocket(url, undefined, { minDelayMs: 5000, jitter: 0 });
          const rec = lib.record(r);
          const rawClose = await rawRec.waitType("close");
          const close = await rec.waitType("close");
          const reconnecting = close.willReconnect ? await rec.waitType("reconnecting") : null;
          if (r.readyState !== 3) {
            r.close();
            await rec.waitFor((e) => e.type === "close" && !e.willReconnect, { what: "final close" });
          }
          out[name] = { rawClose, close, reconnecting };
        }
        return out;
      },
      { base: env.foreign, reason },
    );
    for (const [name, { rawClose, close }] of Object.entries(res)) {
      assert.deepEqual(
        [close.code, close.reason, close.wasClean],
        [rawClose.code, rawClose.reason, rawClose.wasClean],
        name,
      );
    }
    assert.deepEqual([res.app.close.code, res.app.close.reason, res.app.close.willReconnect], [4321, reason, true]);
    assert.deepEqual([res.app.reconnecting.code, res.app.reconnecting.reason], [4321, reason]);
    assert.equal(res.goingAway.close.willReconnect, true);
    assert.equal(res.final.close.willReconnect, false);
    assert.equal(res.final.reconnecting, null);
  });
});
