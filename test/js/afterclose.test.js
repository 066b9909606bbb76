// After close(): no message, open, reconnecting or statechange (but the final
// "closed") event, one final close event (issue 8 §7). Where WebSocket has
// the same situation, side by side with a raw WebSocket on the same page.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { compatView, control, newPage, setup, sideBySide } from "./helpers.js";

let env;
let page;

before(async () => {
  env = await setup({ ws: true });
  ({ page } = await newPage(env));
});
after(async () => {
  await env?.close();
});

// After the final close each scenario watches 400 ms for late events
// (lib.quiet): those this file guards against came within a millisecond of
// close(), and a retry here would come within 100 ms (FAST's maxDelayMs).
const FAST = { minDelayMs: 50, maxDelayMs: 100 };

/**
 * The events logged after the "close()" mark the scenario pushed: they must
 * be at most one error (only if allowError), the final statechange (RedialSocket) and
 * one final close, last.
 */
function afterMark(log, { allowError = false } = {}) {
  const i = log.findIndex((e) => e.type === "close()");
  assert.ok(i >= 0, "the scenario marks where it called close()");
  const rest = log.slice(i + 1);
  const shown = JSON.stringify(rest);
  const closes = rest.filter((e) => e.type === "close");
  assert.equal(closes.length, 1, `one close event after close(): ${shown}`);
  assert.equal(rest.at(-1).type, "close", `close comes last: ${shown}`);
  assert.notEqual(closes[0].willReconnect, true, shown);
  for (const e of rest.slice(0, -1)) {
    const ok = (e.type === "statechange" && e.state === "closed") || (allowError && e.type === "error");
    assert.ok(ok, `no ${e.type} event after close(): ${shown}`);
  }
  assert.ok(rest.filter((e) => e.type === "error").length <= 1, shown);
  return closes[0];
}

// Scenario code runs in the page (serialized): it may use only its
// arguments, the page's globals and lib (test/js/fixtures/lib.js).
describe("no events after close()", { timeout: 60_000 }, () => {
  test("close() in the first message handler of a 100-message burst (the issue's example)", async () => {
    const { raw, redial } = await sideBySide(page, env.foreign + "/burst?n=100", undefined, {}, async (ws, rec) => {
      ws.onopen = () => {
        // Keep the page busy while the burst arrives, so that it is all
        // there when the first message is dispatched (one batch for Go).
        const t = performance.now();
        while (performance.now() - t < 200);
      };
      ws.addEventListener("message", () => {
        if (ws.readyState !== 1) return;
        ws.close(4000, "enough");
        rec.log.push({ type: "close()" });
      });
      await rec.waitType("close");
      await lib.quiet(400);
    });
    assert.deepEqual(compatView(redial.log), compatView(raw.log));
    assert.deepEqual(
      compatView(raw.log).map((e) => [e.type, e.text ?? e.code, e.readyState]),
      [
        ["open", undefined, 1],
        ["message", "1", 1],
        ["close", 4000, 3],
      ],
    );
    const close = afterMark(redial.log);
    assert.deepEqual([close.code, close.reason, close.wasClean], [4000, "enough", true]);
  });

  test("close() in the middle of a batch: the rest of it is not delivered", async () => {
    const { raw, redial } = await sideBySide(page, env.foreign + "/burst?n=200", undefined, {}, async (ws, rec) => {
      ws.addEventListener("message", (ev) => {
        if (ev.data === "50") {
          ws.close(1000);
          rec.log.push({ type: "close()" });
        }
      });
      await rec.waitType("close");
      await lib.quiet(400);
    });
    assert.deepEqual(compatView(redial.log), compatView(raw.log));
    assert.equal(raw.log.filter((e) => e.type === "message").length, 50);
    afterMark(redial.log);
  });

  test("close() in the open handler: no message of the burst that follows the handshake", async () => {
    const { raw, redial } = await sideBySide(page, env.foreign + "/burst?n=100", undefined, {}, async (ws, rec) => {
      ws.onopen = () => {
        ws.close(4001, "from open");
        rec.log.push({ type: "close()" });
      };
      await rec.waitType("close");
      await lib.quiet(400);
    });
    assert.deepEqual(compatView(redial.log), compatView(raw.log));
    assert.deepEqual(
      compatView(raw.log).map((e) => [e.type, e.code, e.reason, e.wasClean]),
      [
        ["open", undefined, undefined, undefined],
        ["close", 4001, "from open", true],
      ],
    );
    afterMark(redial.log);
  });

  test("close() while connecting: error, one close 1006, no open nor message", async () => {
    const { raw, redial } = await sideBySide(page, env.foreign + "/burst?n=100", undefined, {}, async (ws, rec) => {
      ws.close(4002, "never mind");
      rec.log.push({ type: "close()" });
      await rec.waitType("close");
      await lib.quiet(400);
    });
    assert.deepEqual(compatView(redial.log), compatView(raw.log));
    assert.deepEqual(
      compatView(raw.log).map((e) => [e.type, e.code]),
      [
        ["error", undefined],
        ["close", 1006],
      ],
    );
    afterMark(redial.log, { allowError: true });
  });

  test("close() while a Blob is being read for send(): no message meanwhile", async () => {
    const { raw, redial } = await sideBySide(page, env.foreign + "/burst?n=100", undefined, {}, async (ws, rec) => {
      ws.onopen = () => {
        const t = performance.now();
        while (performance.now() - t < 200); // the burst arrives meanwhile
      };
      ws.addEventListener("message", () => {
        if (ws.readyState !== 1) return;
        ws.send(new Blob(["last words"])); // RedialSocket reads it before it closes
        ws.close(4008, "after the blob");
        rec.log.push({ type: "close()" });
      });
      await rec.waitType("close");
      await lib.quiet(400);
    });
    assert.deepEqual(compatView(redial.log), compatView(raw.log));
    assert.deepEqual(
      compatView(raw.log).map((e) => [e.type, e.text ?? e.code]),
      [
        ["open", undefined],
        ["message", "1"],
        ["close", 4008],
      ],
    );
    afterMark(redial.log);
  });

  test("close() twice, and again after the final close: one close event, the first call's code", async () => {
    const { raw, redial } = await sideBySide(page, env.ws + "/echo", undefined, FAST, async (ws, rec) => {
      await rec.waitType("open");
      ws.close(4003, "first");
      rec.log.push({ type: "close()" });
      ws.close(4004, "second");
      await rec.waitType("close");
      ws.close(4005, "third");
      await lib.quiet(400);
      return ws.readyState;
    });
    assert.deepEqual(compatView(redial.log), compatView(raw.log));
    const close = afterMark(redial.log);
    assert.deepEqual([close.code, close.reason, redial.extra, raw.extra], [4003, "first", 3, 3]);
  });

  test("handlers removed or set to null after close() are not called; the others once", async () => {
    const { raw, redial } = await sideBySide(page, env.foreign + "/burst?n=100", undefined, {}, async (ws, rec) => {
      const calls = { onclose: 0, removed: 0, kept: 0, onmessage: 0 };
      const removed = () => calls.removed++;
      ws.addEventListener("close", removed);
      ws.addEventListener("close", () => calls.kept++);
      ws.onclose = () => calls.onclose++;
      ws.onmessage = () => {
        calls.onmessage++;
        ws.close(1000);
        rec.log.push({ type: "close()" });
        ws.onclose = null;
        ws.onmessage = null;
        ws.removeEventListener("close", removed);
      };
      await rec.waitType("close");
      await lib.quiet(400);
      return calls;
    });
    assert.deepEqual(compatView(redial.log), compatView(raw.log));
    assert.deepEqual(raw.extra, { onclose: 0, removed: 0, kept: 1, onmessage: 1 });
    assert.deepEqual(redial.extra, raw.extra);
    afterMark(redial.log);
  });

  test("send() after close() neither throws nor reaches the server, and is counted", async () => {
    const { raw, redial } = await sideBySide(page, env.ws + "/echo", undefined, {}, async (ws, rec, lib) => {
      await rec.waitType("open");
      ws.send("before");
      await rec.waitType("message");
      ws.close(1000);
      rec.log.push({ type: "close()" });
      const thrown = lib.thrown(() => ws.send("after"));
      const buffered = ws.bufferedAmount;
      await rec.waitType("close");
      return { thrown, buffered };
    });
    assert.deepEqual(compatView(redial.log), compatView(raw.log));
    assert.deepEqual(redial.extra, raw.extra);
    assert.deepEqual(raw.extra, { thrown: null, buffered: 5 });
    assert.deepEqual(JSON.parse(await control(env, "/received?path=/echo")).filter((m) => m === "after"), []);
    afterMark(redial.log);
  });
});

describe("no events after close(): RedialSocket's own events", { timeout: 60_000 }, () => {
  /** Runs scenario with a RedialSocket only; returns {log, extra}. */
  async function redialOnly(url, options, scenario) {
    return (await sideBySide(page, url, undefined, options, scenario, { raw: false })).redial;
  }

  async function accepted() {
    return Number(await control(env, "/accepted"));
  }

  test('close() in a statechange "open" handler: no open event follows', async () => {
    const { log } = await redialOnly(env.ws + "/echo", FAST, async (ws, rec) => {
      ws.onstatechange = (ev) => {
        if (ev.state !== "open") return;
        ws.close(4006, "from statechange");
        rec.log.push({ type: "close()" });
      };
      await rec.waitType("close");
      await lib.quiet(400);
    });
    assert.equal(log.filter((e) => e.type === "open").length, 0, JSON.stringify(log));
    const close = afterMark(log);
    assert.deepEqual([close.code, close.reason, close.wasClean], [4006, "from statechange", true]);
  });

  test("close() inside shouldReconnect: no reconnecting, no new connection", async () => {
    await control(env, "/reset");
    const { log } = await page.evaluate(
      async ({ url, fast }) => {
        let rec;
        const ws = new window.redial.RedialSocket(url, undefined, {
          ...fast,
          shouldReconnect() {
            this.close(4009);
            rec.log.push({ type: "close()" });
            return true;
          },
        });
        rec = lib.record(ws);
        await rec.waitFor((e) => e.type === "close" && e.willReconnect === false, { what: "final close" });
        await lib.quiet(400);
        return { log: await rec.entries() };
      },
      { url: env.ws + "/cut?after=50", fast: FAST },
    );
    const close = afterMark(log);
    assert.deepEqual([close.code, close.wasClean], [1006, false]);
    assert.equal(await accepted(), 1);
  });

  // A handler RedialSocket calls on a drop or a failed attempt calls
  // close(): install(ws, closeNow) sets it up in the page. The events Go
  // reports in the same breath (reconnecting after close, say) must not
  // fire, and the socket must not connect again: the server counts the
  // connections it accepted.
  const handlerCases = [
    {
      name: "the close handler of a drop (willReconnect)",
      path: "/cut?after=50",
      install: (ws, closeNow) => ws.addEventListener("close", (ev) => ev.willReconnect && closeNow()),
      accepted: 1,
    },
    {
      name: "the reconnecting handler",
      path: "/cut?after=50",
      install: (ws, closeNow) => (ws.onreconnecting = closeNow),
      accepted: 1,
    },
    {
      name: "the error handler of a refused attempt",
      path: "/statusfirst?code=503&n=1",
      install: (ws, closeNow) => (ws.onerror = closeNow),
      accepted: 0,
    },
  ];
  for (const { name, path, install, accepted: want } of handlerCases) {
    test(`close() in ${name}: no reconnecting, no further attempt`, async () => {
      await control(env, "/reset");
      const scenario = `async (ws, rec, lib) => {
        (${install})(ws, () => {
          ws.close(4007);
          rec.log.push({ type: "close()" });
        });
        await rec.waitFor((e) => e.type === "close" && e.willReconnect === false, { what: "final close" });
        await lib.quiet(400);
      }`;
      const { log } = await redialOnly(env.ws + path, FAST, scenario);
      const close = afterMark(log);
      assert.deepEqual([close.code, close.wasClean], [1006, false]); // no connection was up
      assert.equal(await accepted(), want);
    });
  }

  test("close() while waiting out a backoff: no further attempt, no open", async () => {
    await control(env, "/reset");
    const { log } = await redialOnly(env.ws + "/cut?after=50", { minDelayMs: 300, maxDelayMs: 300, jitter: 0 }, async (ws, rec) => {
      await rec.waitType("reconnecting");
      await new Promise((r) => setTimeout(r, 50)); // in the 300 ms wait (no jitter: exactly 300 ms)
      ws.close();
      rec.log.push({ type: "close()" });
      await rec.waitFor((e) => e.type === "close" && e.willReconnect === false, { what: "final close" });
      await lib.quiet(600);
    });
    afterMark(log);
    assert.equal(await accepted(), 1);
  });
});
