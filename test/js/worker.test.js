// redial-ws inside a dedicated Web Worker (no document, no window): load,
// open, echo, close.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { newPage, setup } from "./helpers.js";

let env;

before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

describe("Web Worker", { timeout: 60_000 }, () => {
  test("a dedicated module worker loads redial-ws, opens, echoes and closes", async () => {
    const { page, close } = await newPage(env, { load: false });
    try {
      const log = await page.evaluate(
        (ws) =>
          new Promise((resolve, reject) => {
            const w = new Worker("/fixtures/worker.js", { type: "module" });
            const got = [];
            const timer = setTimeout(() => reject(new Error(`no final close within 10 s: ${JSON.stringify(got)}`)), 10_000);
            w.onerror = (e) => reject(new Error(`worker error: ${e.message}`));
            w.onmessage = (e) => {
              got.push(e.data);
              if (/^close \d+ false$|^failed/.test(e.data)) {
                clearTimeout(timer);
                w.terminate();
                resolve(got);
              }
            };
            w.postMessage({ ws: ws + "/echo" });
          }),
        env.ws,
      );
      assert.deepEqual(log, ["open undefined", "message from a worker", "close 1000 false"]);
    } finally {
      await close();
    }
  });
});
