// RedialSocket next to a raw browser WebSocket, on the same page and server:
// same events in the same order with the same fields, same exceptions.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { compatView, newPage, setup, sideBySide as sideBySideIn } from "./helpers.js";

let env;
let page;

before(async () => {
  env = await setup();
  ({ page } = await newPage(env));
});
after(async () => {
  await env?.close();
});

/** helpers.sideBySide on this file's page. */
const sideBySide = (...args) => sideBySideIn(page, ...args);

describe("side by side with WebSocket", { timeout: 60_000 }, () => {
  test("echo: open, text and binary messages, clean close", async () => {
    const { raw, redial } = await sideBySide(env.ws + "/echo", ["redial.v1"], {}, async (ws, rec) => {
      const states = [ws.readyState];
      await rec.waitType("open");
      states.push(ws.readyState);
      const props = { url: ws.url, protocol: ws.protocol, extensions: ws.extensions, binaryType: ws.binaryType };
      ws.send("hello");
      ws.send("");
      ws.send("ünïcødé ✓ 🎉");
      ws.send(new Uint8Array([1, 2, 3]));
      await rec.waitType("message", 4);
      ws.close(1000, "bye");
      states.push(ws.readyState);
      await rec.waitType("close");
      states.push(ws.readyState);
      return { states, props };
    });
    assert.deepEqual(compatView(redial.log), compatView(raw.log));
    assert.deepEqual(redial.extra, raw.extra);
    assert.deepEqual(raw.extra.states, [0, 1, 2, 3]);
    assert.equal(raw.extra.props.protocol, "redial.v1");
    const close = redial.log.find((e) => e.type === "close");
    assert.equal(close.willReconnect, false);
  });

  test("server closes with a code and reason", async () => {
    const url = env.ws + "/close?code=4001&reason=" + encodeURIComponent("going, ✓");
    const { raw, redial } = await sideBySide(url, undefined, { maxRetries: 0 }, async (ws, rec) => {
      await rec.waitType("close");
    });
    assert.deepEqual(compatView(redial.log), compatView(raw.log));
    const close = raw.log.find((e) => e.type === "close");
    assert.deepEqual([close.code, close.reason, close.wasClean], [4001, "going, ✓", true]);
  });

  test("connection cut without a close frame: close 1006, no error", async () => {
    const { raw, redial } = await sideBySide(env.ws + "/cut?after=50", undefined, { maxRetries: 0 }, async (ws, rec) => {
      await rec.waitType("close");
    });
    assert.deepEqual(compatView(redial.log), compatView(raw.log));
    assert.deepEqual(
      compatView(raw.log).map((e) => e.type),
      ["open", "close"],
    );
  });

  test("refused handshake: error, then close 1006", async () => {
    const { raw, redial } = await sideBySide(env.ws + "/status?code=404", undefined, { maxRetries: 0 }, async (ws, rec) => {
      await rec.waitType("close");
    });
    assert.deepEqual(compatView(redial.log), compatView(raw.log));
    assert.deepEqual(
      compatView(raw.log).map((e) => [e.type, e.code, e.readyState]),
      [
        ["error", undefined, 3],
        ["close", 1006, 3],
      ],
    );
  });

  test("close() while connecting: error, then close 1006", async () => {
    const { raw, redial } = await sideBySide(env.ws + "/echo", undefined, {}, async (ws, rec) => {
      ws.close(3001, "never mind");
      const state = ws.readyState;
      await rec.waitType("close");
      return state;
    });
    assert.deepEqual(compatView(redial.log), compatView(raw.log));
    assert.equal(raw.extra, 2);
    assert.equal(redial.extra, 2);
  });

  test("send after close is dropped but counted in bufferedAmount", async () => {
    const { raw, redial } = await sideBySide(env.ws + "/echo", undefined, {}, async (ws, rec) => {
      await rec.waitType("open");
      ws.close();
      await rec.waitType("close");
      ws.send("12345");
      ws.send(new Uint8Array(10));
      return ws.bufferedAmount;
    });
    assert.equal(raw.extra, 15);
    assert.equal(redial.extra, 15);
  });

  test("close() and send() argument errors throw the same exceptions", async () => {
    const res = await page.evaluate(async (url) => {
      const cases = {
        "close(999)": (ws) => ws.close(999),
        "close(1001)": (ws) => ws.close(1001),
        "close(2999)": (ws) => ws.close(2999),
        "close(5000)": (ws) => ws.close(5000),
        "close(70000)": (ws) => ws.close(70000),
        "close(-1)": (ws) => ws.close(-1),
        "close('abc')": (ws) => ws.close("abc"),
        "close(1000.4)": (ws) => ws.close(1000.4, "x".repeat(200)),
        "close(reason 124 bytes)": (ws) => ws.close(1000, "x".repeat(124)),
        "close(reason 62×é)": (ws) => ws.close(4000, "é".repeat(62)),
        "close(reason 123 bytes ok)": (ws) => ws.close(4999, "x".repeat(123)),
        "send()": (ws) => ws.send(),
      };
      const out = {};
      for (const Ctor of [WebSocket, window.redial.RedialSocket]) {
        for (const [name, fn] of Object.entries(cases)) {
          const ws = new Ctor(url);
          const rec = lib.record(ws);
          (out[name] ??= []).push(lib.thrown(() => fn(ws)));
          if (ws.readyState !== 3) ws.close();
          await rec.waitType("close");
        }
      }
      return out;
    }, env.ws + "/echo");
    for (const [name, [raw, redial]] of Object.entries(res)) {
      assert.equal(redial?.name, raw?.name, `${name}: ${JSON.stringify({ raw, redial })}`);
      assert.equal(redial?.cls, raw?.cls, name);
    }
    assert.equal(res["close(1001)"][0].name, "InvalidAccessError");
    assert.equal(res["close(reason 124 bytes)"][0].name, "SyntaxError");
    assert.equal(res["close(reason 123 bytes ok)"][0], null);
  });

  test("constructor errors throw the same exceptions", async () => {
    const res = await page.evaluate((ws) => {
      const cases = [
        [ws + "/echo", undefined],
        ["ftp://127.0.0.1/x", undefined],
        ["not a url", undefined],
        [ws + "/echo#frag", undefined],
        [ws + "/echo", ["a b"]],
        [ws + "/echo", ["chat", "chat"]],
        [ws + "/echo", ""],
        [ws.replace("ws:", "http:") + "/echo", undefined],
      ];
      return cases.map(([url, protos]) =>
        [WebSocket, window.redial.RedialSocket].map((C) => {
          let s;
          const err = lib.thrown(() => (s = new C(url, protos)));
          const seen = s ? s.url : null;
          s?.close();
          return { err, url: seen };
        }),
      );
    }, env.ws);
    for (const [raw, redial] of res) {
      assert.deepEqual({ name: redial.err?.name, cls: redial.err?.cls, url: redial.url }, { name: raw.err?.name, cls: raw.err?.cls, url: raw.url });
    }
    assert.equal(res[1][0].err.name, "SyntaxError");
  });

  test("events never fire from inside a method; listeners added after close() see close", async () => {
    const res = await page.evaluate(async (url) => {
      const probe = async (C) => {
        const inside = [];
        let within = false;
        const ws = new C(url);
        for (const t of ["open", "message", "close", "error"]) ws.addEventListener(t, () => within && inside.push(t));
        await new Promise((r) => ws.addEventListener("open", r, { once: true }));
        within = true;
        for (let i = 0; i < 50; i++) ws.send("x" + i);
        void ws.bufferedAmount;
        ws.close(4000, "bye");
        within = false;
        const late = await new Promise((resolve) => ws.addEventListener("close", (e) => resolve([e.code, e.reason]))); // added after close()
        const ws2 = new C(url);
        within = true;
        ws2.close();
        within = false;
        const late2 = await new Promise((resolve) => ws2.addEventListener("close", (e) => resolve(e.code)));
        return { inside, late, late2 };
      };
      return { raw: await probe(WebSocket), redial: await probe(window.redial.RedialSocket) };
    }, env.ws + "/echo");
    assert.deepEqual(res.redial, res.raw);
    assert.deepEqual(res.raw, { inside: [], late: [4000, "bye"], late2: 1006 });
  });

  test("constants, binaryType and event handler attributes", async () => {
    const res = await page.evaluate(async (url) => {
      const probe = (C) => {
        const ws = new C(url);
        const out = {
          statics: [C.CONNECTING, C.OPEN, C.CLOSING, C.CLOSED],
          instance: [ws.CONNECTING, ws.OPEN, ws.CLOSING, ws.CLOSED],
          binaryType: ws.binaryType,
          isEventTarget: ws instanceof EventTarget,
        };
        ws.binaryType = "arraybuffer";
        out.afterSet = ws.binaryType;
        ws.binaryType = "nonsense";
        out.afterBad = ws.binaryType;
        out.onopenDefault = ws.onopen;
        const f = () => {};
        ws.onmessage = f;
        out.handlerKept = ws.onmessage === f;
        ws.onmessage = null;
        out.handlerCleared = ws.onmessage;
        return new Promise((resolve) => {
          const order = [];
          ws.addEventListener("open", () => order.push("listener1"));
          ws.onopen = () => order.push("onopen");
          ws.addEventListener("open", () => order.push("listener2"));
          ws.onopen = () => order.push("onopen2"); // keeps its place
          ws.addEventListener("open", () => {
            out.order = order;
            ws.close();
            resolve(out);
          });
        });
      };
      return { raw: await probe(WebSocket), redial: await probe(window.redial.RedialSocket) };
    }, env.ws + "/echo");
    assert.deepEqual(res.redial, res.raw);
    assert.deepEqual(res.raw.order, ["listener1", "onopen2", "listener2"]);
  });
});
