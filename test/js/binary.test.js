// Data round trips through the echo server: every type send() takes, both
// binaryTypes, Blob ordering, sizes, and text edge cases; compared with a raw
// WebSocket where the browser defines the answer.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

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

/** Sends every item of the scenario's list on C, returns the echoes. */
function echoAll(ctorName, binaryType, build, count) {
  return page.evaluate(
    async ({ url, ctorName, binaryType, build, count }) => {
      const C = ctorName === "WebSocket" ? WebSocket : window.redial.RedialSocket;
      const ws = new C(url);
      if (binaryType) ws.binaryType = binaryType;
      const rec = lib.record(ws, ["open", "message", "close", "error"]);
      await rec.waitType("open");
      const items = new Function(`return (${build})();`)();
      for (const item of items) ws.send(item);
      await rec.waitType("message", count, 10_000);
      ws.close();
      await rec.waitType("close");
      const out = (await rec.entries()).filter((e) => e.type === "message");
      return out.map((e) => ({
        kind: e.text !== undefined ? "text" : e.blob ? "blob" : e.arraybuffer ? "arraybuffer" : "other",
        value: e.text ?? e.blob ?? e.arraybuffer,
      }));
    },
    { url: env.ws + "/echo", ctorName, binaryType, build: build.toString(), count },
  );
}

const everyType = () => {
  const ab = new Uint8Array([1, 2, 3, 250]).buffer;
  const big = new Uint8Array(64).map((_, i) => i);
  return [
    ab,
    new Uint8Array([4, 5, 6]),
    big.subarray(10, 14), // a view with an offset into a bigger buffer
    new DataView(big.buffer, 60, 4),
    new Int16Array([1, -1]),
    new Float64Array([0.5]),
    new Blob([new Uint8Array([7, 8]), "ab"]),
    "after the blob",
    new Uint8Array([9]),
    new Blob(["second blob"]),
    new ArrayBuffer(0),
    "",
    new Blob([]),
  ];
};

describe("binary and text round trips", { timeout: 60_000 }, () => {
  for (const binaryType of [undefined, "blob", "arraybuffer"]) {
    test(`every send() type, in order, binaryType ${binaryType ?? "default (blob)"}`, async () => {
      const raw = await echoAll("WebSocket", binaryType, everyType, 13);
      const redial = await echoAll("RedialSocket", binaryType, everyType, 13);
      assert.deepEqual(redial, raw);
      const want = binaryType === "arraybuffer" ? "arraybuffer" : "blob";
      assert.deepEqual(
        raw.map((m) => m.kind),
        [want, want, want, want, want, want, want, "text", want, want, want, "text", want],
      );
      assert.deepEqual(raw[2].value, [10, 11, 12, 13]);
      assert.deepEqual(raw[6].value, [7, 8, 97, 98]);
    });
  }

  test("text edge cases: unicode, lone surrogates, non-strings", async () => {
    const build = () => ["héllo wörld ✓ 🎉 中文", "\ud800 lone", "x\u0000y", 12345, { toString: () => "obj" }, null];
    const raw = await echoAll("WebSocket", undefined, build, 6);
    const redial = await echoAll("RedialSocket", undefined, build, 6);
    assert.deepEqual(redial, raw);
    assert.equal(raw[1].value, "\ufffd lone");
    assert.equal(raw[3].value, "12345");
  });

  test("large messages (256 KiB binary, 200 KB text) survive intact", async () => {
    const res = await page.evaluate(async (url) => {
      const ws = new window.redial.RedialSocket(url);
      ws.binaryType = "arraybuffer";
      const rec = lib.record(ws, ["open", "message", "close"]);
      const bin = new Uint8Array(256 << 10).map((_, i) => (i * 7) & 255);
      const text = "€".repeat(200_000 / 3);
      ws.send(bin); // queued while connecting
      ws.send(text);
      const queued = ws.bufferedAmount;
      await rec.waitType("message", 2, 10_000);
      const [m1, m2] = rec.log.filter((e) => e.type === "message");
      ws.close();
      await rec.waitType("close");
      const same = m1.arraybuffer.length === bin.length && m1.arraybuffer.every((b, i) => b === bin[i]);
      return { same, textSame: m2.text === text, queued, expect: bin.length + new TextEncoder().encode(text).length };
    }, env.ws + "/echo");
    assert.ok(res.same, "binary echo differs");
    assert.ok(res.textSame, "text echo differs");
    assert.equal(res.queued, res.expect);
  });

  test("many sends in one go arrive complete and in order", async () => {
    const res = await page.evaluate(async (url) => {
      const ws = new window.redial.RedialSocket(url);
      const rec = lib.record(ws, ["open", "message", "close", "error"]);
      await rec.waitType("open");
      const N = 5000; // more than the default queue (1024): the shim lets Go drain it
      for (let i = 0; i < N; i++) ws.send(i % 2 ? String(i) : new TextEncoder().encode(String(i)));
      ws.binaryType = "arraybuffer";
      await rec.waitType("message", N, 30_000);
      const got = rec.log.filter((e) => e.type === "message").map((e) => e.text ?? new TextDecoder().decode(new Uint8Array(e.arraybuffer)));
      ws.close();
      await rec.waitType("close");
      return { inOrder: got.every((v, i) => v === String(i)), n: got.length, errors: rec.count("error") };
    }, env.ws + "/echo");
    assert.deepEqual(res, { inOrder: true, n: 5000, errors: 0 });
  });

  test("a message over the read limit (1 MiB) ends the socket: close 1009, no reconnect", async () => {
    const res = await page.evaluate(async (url) => {
      const ws = new window.redial.RedialSocket(url, undefined, { maxQueuedBytes: 4 << 20 });
      ws.binaryType = "arraybuffer";
      const rec = lib.record(ws, ["open", "message", "close", "error", "reconnecting"]);
      await rec.waitType("open");
      ws.send(new Uint8Array(1 << 20).fill(1)); // exactly the limit: delivered
      ws.send("€".repeat(((1 << 20) + 2) / 3)); // 349526 UTF-16 units, 1 MiB + 2 bytes
      await rec.waitType("close", 1, 10_000);
      await new Promise((r) => setTimeout(r, 200)); // nothing may follow
      return rec.log.map((e) =>
        e.type === "message"
          ? `message:${e.arraybuffer?.length ?? e.text?.length}`
          : e.type === "close"
            ? `close:${e.code}:${e.reason}:${e.willReconnect}`
            : e.type,
      );
    }, env.ws + "/echo");
    assert.deepEqual(res, ["open", `message:${1 << 20}`, "close:1009:message over Options.ReadLimit:false"]);
  });

  test("a full queue while connecting throws a worded error", async () => {
    const res = await page.evaluate(async (url) => {
      const ws = new window.redial.RedialSocket(url, undefined, { maxQueued: 3 });
      const rec = lib.record(ws, ["open", "close"]);
      ws.send("1");
      ws.send("2");
      ws.send("3");
      const err = lib.thrown(() => ws.send("4"));
      const small = new window.redial.RedialSocket(url, undefined, { maxQueuedBytes: 4 });
      const rec2 = lib.record(small, ["close"]);
      const tooBig = lib.thrown(() => small.send("12345"));
      ws.close();
      small.close();
      await rec.waitType("close");
      await rec2.waitType("close");
      return { err, tooBig };
    }, env.ws + "/echo");
    assert.equal(res.err.cls, "Error");
    assert.match(res.err.message, /^redial-ws: send queue full while connecting: 3 messages/);
    assert.match(res.tooBig.message, /bigger than maxQueuedBytes/);
  });
});
