// Reconnection as a page sees it: events after a drop, after close codes the
// policy retries (slowly for 1012) or not (1008), shouldReconnect, sends
// queued while down, and offline/online.
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
  await context.setOffline(false);
  await control(env, "/restart");
  await control(env, "/reset");
});
after(async () => {
  await env?.close();
});

const FAST = { minDelayMs: 20, maxDelayMs: 60 };

/** Opens window.s (a RedialSocket) with window.rec recording; waits for open. */
function open(path, options = FAST, protocols = undefined) {
  return page.evaluate(
    async ({ url, options, protocols }) => {
      window.s = new window.redial.RedialSocket(url, protocols, options);
      window.rec = lib.record(window.s);
      await window.rec.waitType("open");
    },
    { url: env.ws + path, options, protocols },
  );
}

describe("reconnect", { timeout: 60_000 }, () => {
  test("after a server drop: close 1006 (willReconnect), reconnecting, open again", async () => {
    await open("/echo");
    await control(env, "/drop");
    const res = await page.evaluate(async () => {
      const close = await rec.waitType("close");
      const reconnecting = await rec.waitType("reconnecting");
      const open2 = await rec.waitType("open", 2, 10_000);
      const attemptAfter = s.attempt;
      s.send("still here");
      const echo = await rec.waitType("message");
      return { close, reconnecting, open2, attemptAfter, echo: echo.text, log: rec.log.map((e) => e.type) };
    });
    assert.deepEqual(
      { code: res.close.code, reason: res.close.reason, wasClean: res.close.wasClean, willReconnect: res.close.willReconnect, readyState: res.close.readyState },
      { code: 1006, reason: "", wasClean: false, willReconnect: true, readyState: 0 },
    );
    assert.equal(res.reconnecting.attempt, 1);
    assert.equal(res.reconnecting.code, 1006);
    assert.ok(res.reconnecting.delayMs >= 0 && res.reconnecting.delayMs <= FAST.minDelayMs, `delayMs ${res.reconnecting.delayMs}`);
    assert.equal(res.open2.readyState, 1);
    assert.equal(res.attemptAfter, 1);
    assert.equal(res.echo, "still here");
    assert.deepEqual(res.log, ["statechange", "open", "statechange", "close", "reconnecting", "statechange", "open", "message"]);
  });

  test("sends while down are queued, counted in bufferedAmount and delivered in order", async () => {
    await open("/echo", { minDelayMs: 20, maxDelayMs: 40 });
    await control(env, "/stop");
    const during = await page.evaluate(async () => {
      s.binaryType = "arraybuffer";
      await rec.waitType("close");
      await rec.waitType("error", 1, 10_000); // an attempt failed: the server is down
      s.send("q1");
      s.send(new Uint8Array([9, 9]));
      s.send("q3");
      return { readyState: s.readyState, state: s.state, buffered: s.bufferedAmount };
    });
    assert.deepEqual(during, { readyState: 0, state: "reconnecting", buffered: 6 });
    await control(env, "/restart");
    const res = await page.evaluate(async () => {
      await rec.waitType("open", 2, 10_000);
      await rec.waitType("message", 3);
      return { messages: rec.log.filter((e) => e.type === "message").map((e) => e.text ?? e.arraybuffer), buffered: s.bufferedAmount };
    });
    assert.deepEqual(res.messages, ["q1", [9, 9], "q3"]);
    assert.equal(res.buffered, 0);
  });

  test("close 1012: reconnecting waits at least 5 s", async () => {
    await open("/closefirst?code=1012&reason=restarting&n=1", {});
    const res = await page.evaluate(async () => {
      const close = await rec.waitType("close");
      const reconnecting = await rec.waitType("reconnecting");
      return { close, reconnecting };
    });
    assert.deepEqual([res.close.code, res.close.reason, res.close.wasClean, res.close.willReconnect], [1012, "restarting", true, true]);
    assert.equal(res.reconnecting.code, 1012);
    assert.equal(res.reconnecting.reason, "restarting");
    assert.ok(res.reconnecting.delayMs >= 5000, `delayMs ${res.reconnecting.delayMs}`);
    assert.ok(res.reconnecting.delayMs <= 10_000, `delayMs ${res.reconnecting.delayMs}`);
    // close() during the wait ends it for good at once.
    const end = await page.evaluate(async () => {
      s.close();
      const c = await rec.waitFor((e) => e.type === "close" && !e.willReconnect, { what: "final close" });
      return { c, state: s.state, errors: rec.count("error") };
    });
    assert.deepEqual([end.c.code, end.c.wasClean, end.state, end.errors], [1006, false, "closed", 0]);
  });

  test("close 4000: reconnects after the backoff", async () => {
    await open("/closefirst?code=4000&reason=again&n=1");
    const res = await page.evaluate(async () => {
      const close = await rec.waitType("close");
      const reconnecting = await rec.waitType("reconnecting");
      await rec.waitType("open", 2);
      s.send("back");
      return { close, reconnecting, echo: (await rec.waitType("message")).text };
    });
    assert.deepEqual([res.close.code, res.close.reason, res.close.willReconnect], [4000, "again", true]);
    assert.deepEqual([res.reconnecting.attempt, res.reconnecting.code, res.reconnecting.reason], [1, 4000, "again"]);
    assert.equal(res.echo, "back");
  });

  test("close 1008 is final: close with willReconnect false, no retry", async () => {
    await open("/close?code=1008&reason=policy");
    const res = await page.evaluate(async () => {
      const close = await rec.waitType("close");
      s.send("dropped"); // as WebSocket: no throw after the final close
      return { close, state: s.state, readyState: s.readyState, log: rec.log.map((e) => e.type), buffered: s.bufferedAmount };
    });
    assert.deepEqual(
      [res.close.code, res.close.reason, res.close.wasClean, res.close.willReconnect],
      [1008, "policy", true, false],
    );
    assert.equal(res.state, "closed");
    assert.equal(res.readyState, 3);
    assert.equal(res.buffered, 7);
    assert.deepEqual(res.log, ["statechange", "open", "statechange", "close"]);
    assert.equal(await control(env, "/accepted"), "1");
  });

  test("shouldReconnect overrides the policy both ways", async () => {
    await page.evaluate(async (ws) => {
      window.calls = [];
      const opts = {
        ...{ minDelayMs: 20, maxDelayMs: 60 },
        shouldReconnect(code, reason) {
          calls.push([code, reason, this === window.s]);
          if (code === 1008) return true; // the default would give up
          if (code === 4000) return false; // the default would retry
          return undefined;
        },
      };
      window.s = new window.redial.RedialSocket(ws + "/closefirst?code=1008&reason=p&n=1", undefined, opts);
      window.rec = lib.record(window.s);
      await rec.waitType("open", 2);
    }, env.ws);
    const res = await page.evaluate(async (ws) => {
      const first = window.calls.slice();
      const s2 = new window.redial.RedialSocket(ws + "/close?code=4000&reason=bye", undefined, {
        shouldReconnect(code, reason) {
          calls.push([code, reason]);
          return false;
        },
      });
      const rec2 = lib.record(s2);
      const close = await rec2.waitType("close");
      return { first, calls: window.calls, close };
    }, env.ws);
    assert.deepEqual(res.first, [[1008, "p", true]]);
    assert.deepEqual(res.calls.at(-1), [4000, "bye"]);
    assert.deepEqual([res.close.code, res.close.willReconnect], [4000, false]);
  });

  test("maxRetries bounds the attempts; the final close says so", async () => {
    await control(env, "/stop");
    const res = await page.evaluate(async (ws) => {
      window.s = new window.redial.RedialSocket(ws + "/echo", undefined, { minDelayMs: 10, maxDelayMs: 20, maxRetries: 2 });
      window.rec = lib.record(window.s);
      const close = await rec.waitFor((e) => e.type === "close", { ms: 10_000, what: "final close" });
      return { close, log: rec.log.map((e) => e.type + (e.attempt ? e.attempt : "")), lastError: rec.log.filter((e) => e.type === "error").at(-1).message };
    }, env.ws);
    assert.equal(res.close.willReconnect, false);
    assert.equal(res.close.code, 1006);
    assert.deepEqual(res.log, ["statechange", "error", "reconnecting1", "error", "reconnecting2", "statechange", "error", "close"]);
    assert.match(res.lastError, /retry budget exhausted/);
  });

  test("offline pauses retries; online resumes at once", async () => {
    await open("/echo", { minDelayMs: 20, maxDelayMs: 40 });
    await context.setOffline(true);
    await page.evaluate(() => lib.waitUntil(() => navigator.onLine === false, 5000, "navigator.onLine false"));
    const accepted = await control(env, "/accepted");
    await control(env, "/drop");
    await page.evaluate(async () => {
      await rec.waitType("reconnecting");
      // A retry would come within 40 ms; give it 25 times that to show up.
      await new Promise((r) => setTimeout(r, 1000));
      if (rec.count("error") > 0 || rec.count("open") > 1) {
        throw new Error("retried while offline: " + JSON.stringify(rec.log));
      }
    });
    assert.equal(await control(env, "/accepted"), accepted);
    await context.setOffline(false);
    const res = await page.evaluate(async () => {
      await rec.waitType("open", 2, 5000);
      return { errors: rec.count("error"), state: s.state };
    });
    assert.deepEqual(res, { errors: 0, state: "open" });
  });
});
