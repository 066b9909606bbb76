// RedialSocket.stats: Go's Conn.Stats through one call, in camelCase, ms
// for durations. Echoes and a server drop are counted exactly.
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

describe("stats", { timeout: 60_000 }, () => {
  test("counts echoes, a drop and the reconnect; time in states sums to the socket's age", async () => {
    const res = await page.evaluate(
      async ({ url }) => {
        const t0 = performance.now();
        const s = new window.redial.RedialSocket(url, undefined, { minDelayMs: 20, maxDelayMs: 60 });
        const t1 = performance.now(); // the Go Conn was made inside the constructor
        const rec = lib.record(s);
        await rec.waitType("open");
        const zero = s.stats;
        for (const [i, m] of ["a", "bb", "ccc"].entries()) {
          s.send(m);
          await rec.waitType("message", i + 1);
        }
        window.s = s;
        window.rec = rec;
        return { t0, t1, zero };
      },
      { url: env.ws + "/echo" },
    );
    await control(env, "/drop");
    const out = await page.evaluate(async ({ t0, t1 }) => {
      await rec.waitType("reconnecting");
      await rec.waitType("open", 2, 10_000);
      s.send("dddd");
      await rec.waitType("message", 4);
      const before = performance.now();
      const st = s.stats;
      const afterT = performance.now();
      s.close();
      await rec.waitFor((e) => e.type === "close" && e.willReconnect === false, { what: "final close" });
      const closed = s.stats;
      return { st, closed, age: [before - t1, afterT - t0], keys: Object.keys(st).sort() };
    }, res);
    assert.deepEqual(out.keys, [
      "attempts", "bytesIn", "bytesOut", "lastRTTMs", "messagesIn", "messagesOut", "queuedBytes", "queuedMessages",
      "reconnects", "timeClosedMs", "timeConnectingMs", "timeOpenMs", "timeReconnectingMs",
    ]);
    const { st, closed } = out;
    // Counted in before the message event; out once the socket took a
    // message, and the queue: exact once closed (the writer has finished).
    assert.deepEqual(
      { attempts: st.attempts, reconnects: st.reconnects, messagesIn: st.messagesIn, bytesIn: st.bytesIn, lastRTTMs: st.lastRTTMs, timeClosedMs: st.timeClosedMs },
      { attempts: 2, reconnects: 1, messagesIn: 4, bytesIn: 10, lastRTTMs: 0, timeClosedMs: 0 },
    );
    assert.deepEqual(
      { attempts: closed.attempts, reconnects: closed.reconnects, messagesIn: closed.messagesIn, bytesIn: closed.bytesIn, messagesOut: closed.messagesOut, bytesOut: closed.bytesOut, queuedMessages: closed.queuedMessages, queuedBytes: closed.queuedBytes },
      { attempts: 2, reconnects: 1, messagesIn: 4, bytesIn: 10, messagesOut: 4, bytesOut: 10, queuedMessages: 0, queuedBytes: 0 },
    );
    assert.equal(res.zero.messagesIn, 0);
    assert.ok(st.timeReconnectingMs > 0 && st.timeOpenMs > 0 && st.timeConnectingMs > 0, JSON.stringify(st));
    const sum = st.timeConnectingMs + st.timeOpenMs + st.timeReconnectingMs + st.timeClosedMs;
    // The Conn is made between t0 and t1, read between before and afterT
    // (1 ms for Go's clock against performance.now()'s rounding).
    assert.ok(sum <= out.age[1] + 1, `sum ${sum} ms > ${out.age[1]} ms`);
    assert.ok(sum >= out.age[0] - 1, `sum ${sum} ms < ${out.age[0]} ms`);
    // After the final close: the stats as at that close (the Go side is gone).
    assert.ok(closed.timeOpenMs >= st.timeOpenMs);
  });
});
