// Issue 8 §2: data the browser already received proves the socket alive.
// A page whose main thread is blocked (a busy loop; a frozen tab, a laptop
// asleep look the same to the heartbeat's wall-clock check) must, once it
// runs again, get every message the server sent meanwhile, in order, on
// the same connection: a plain WebSocket does.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";

import { control, newPage, setup, closeLeftover } from "./helpers.js";

let env;
let page;
let context;

before(async () => {
  env = await setup();
  ({ page, context } = await newPage(env));
});
afterEach(async () => {
  await closeLeftover(page); // every test leaves its socket closed for good
  await control(env, "/reset");
});
after(async () => {
  await env?.close();
});

/**
 * Opens /ticker (a message "1", "2", … every tickMs), waits for the first,
 * blocks the page's main thread for blockMs, then waits for message want.
 * Returns what the page saw.
 */
function blockWhileTicking(options, { tickMs = 75, blockMs = 3000, want = 45 } = {}) {
  return page.evaluate(
    async ({ url, options, blockMs, want }) => {
      window.s = new window.redial.RedialSocket(url, undefined, options);
      window.rec = lib.record(window.s);
      await rec.waitType("open");
      await rec.waitType("message");
      const end = Date.now() + blockMs;
      while (Date.now() < end) {
        // busy: no event can run
      }
      await rec.waitFor((e) => e.type === "message" && e.text === String(want), { ms: 10_000, what: `message ${want}` });
      return {
        texts: rec.log.filter((e) => e.type === "message").map((e) => e.text),
        others: rec.log.filter((e) => e.type !== "message" && e.type !== "statechange").map((e) => e.type),
        opens: rec.count("open"),
        readyState: s.readyState,
      };
    },
    { url: env.ws + `/ticker?ms=${tickMs}`, options, blockMs, want },
  );
}

function range(n) {
  return Array.from({ length: n }, (_, i) => String(i + 1));
}

describe("heartbeat and a blocked page", { timeout: 60_000 }, () => {
  test("heartbeatMs 500, main thread blocked 3 s: every message arrives, in order, no close", async () => {
    const res = await blockWhileTicking({ heartbeatMs: 500, minDelayMs: 20, maxDelayMs: 60 });
    const n = res.texts.indexOf("45") + 1;
    assert.deepEqual(res.texts.slice(0, n), range(45), "messages 1..45 in order, each once, on one connection");
    assert.deepEqual(res.others, ["open"], "no close, reconnecting or error event");
    assert.equal(res.readyState, 1);
  });

  test("a plain WebSocket, for comparison, gets them all", async () => {
    const res = await page.evaluate(
      async ({ url }) => {
        const ws = new WebSocket(url);
        const r = lib.record(ws);
        await r.waitType("open");
        await r.waitType("message");
        const end = Date.now() + 3000;
        while (Date.now() < end) {
          // busy
        }
        await r.waitFor((e) => e.type === "message" && e.text === "45", { ms: 10_000, what: "message 45" });
        ws.close();
        await r.waitType("close");
        return r.log.filter((e) => e.type === "message").map((e) => e.text);
      },
      { url: env.ws + "/ticker?ms=75" },
    );
    assert.deepEqual(res.slice(0, 45), range(45));
  });
});
