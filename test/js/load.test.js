// load(): once per page, worded errors, and the runtime's bookkeeping.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { newPage, root, setup } from "./helpers.js";

let env;

before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

describe("load()", { timeout: 60_000 }, () => {
  test("errors: use before load, missing URL, 404, not wasm; then a good load", async () => {
    const { page, close } = await newPage(env, { load: false });
    try {
      const res = await page.evaluate(async (ws) => {
        const { load, RedialSocket } = window.redial;
        const settle = (p) => p.then(() => null, (e) => ({ cls: e.constructor.name, message: e.message }));
        const out = {};
        out.before = lib.thrown(() => new RedialSocket(ws + "/echo"));
        out.noArgs = await settle(load());
        out.missing = await settle(load({ wasmURL: "/dist/nope/redial.wasm" }));
        out.notWasm = await settle(load({ wasmURL: "/dist/index.js" }));
        const p1 = load({ wasmURL: "/dist/redial.wasm" });
        const p2 = load({ wasmURL: new URL("/dist/redial.wasm", location.href) });
        out.same = p1 === p2;
        out.good = await settle(p1);
        out.again = await settle(load({ wasmURL: "/dist/redial.wasm" }));
        out.other = await settle(load({ wasmURL: "/dist/other.wasm" }));
        out.versions = [window.redial.version, globalThis.__redial.version];
        const s = new RedialSocket(ws + "/echo");
        const rec = lib.record(s);
        await rec.waitType("open");
        s.close();
        await rec.waitType("close");
        return out;
      }, env.ws);
      const o = env.origin;
      assert.deepEqual(res.before, { name: "Error", cls: "Error", message: "redial-ws: call load({wasmURL}) before new RedialSocket" });
      assert.deepEqual(res.noArgs, {
        cls: "TypeError",
        message:
          "redial-ws: load() needs redial.wasm: a URL (string or URL), a WebAssembly.Module, its bytes (ArrayBuffer or typed array), " +
          "a Response or a promise of one (under Node also a file path), alone or as load({ wasmURL }); got undefined",
      });
      assert.deepEqual(res.missing, { cls: "Error", message: `redial-ws: could not fetch ${o}/dist/nope/redial.wasm: HTTP 404` });
      assert.match(res.notWasm.message, new RegExp(`^redial-ws: ${o}/dist/index.js is not a loadable redial.wasm: `));
      assert.equal(res.same, true);
      assert.equal(res.good, null);
      assert.equal(res.again, null);
      assert.deepEqual(res.other, {
        cls: "Error",
        message: `redial-ws: already loaded from ${o}/dist/redial.wasm; load() cannot switch to ${o}/dist/other.wasm (one runtime per page)`,
      });
      const pkg = JSON.parse(await readFile(path.join(root, "package.json"), "utf8"));
      assert.deepEqual(res.versions, [pkg.version, pkg.version]);
    } finally {
      await close();
    }
  });

  test("each form of redial.wasm: URL object, Module, bytes, typed array, Response, a promise", async () => {
    const forms = {
      url: "new URL('/dist/redial.wasm', location.href)",
      module: "WebAssembly.compileStreaming(fetch('/dist/redial.wasm'))", // a promise of a Module
      bytes: "fetch('/dist/redial.wasm').then((r) => r.arrayBuffer())",
      typed: "fetch('/dist/redial.wasm').then(async (r) => new Uint8Array(await r.arrayBuffer()))",
      response: "fetch('/dist/redial.wasm')",
      options: "({ wasmURL: fetch('/dist/redial.wasm') })",
    };
    for (const [name, expr] of Object.entries(forms)) {
      const { page, close } = await newPage(env, { load: false });
      try {
        const log = await page.evaluate(
          async ({ ws, expr, awaitFirst }) => {
            const { load, RedialSocket } = window.redial;
            let src = new Function(`return ${expr}`)();
            if (awaitFirst) src = await src; // the Module, bytes or Response itself, not a promise
            await load(src);
            const s = new RedialSocket(ws + "/echo");
            const rec = lib.record(s, ["open", "message", "close"]);
            await rec.waitType("open");
            s.send("hi");
            await rec.waitType("message");
            s.close();
            await rec.waitType("close");
            return rec.log.map((e) => e.type);
          },
          { ws: env.ws, expr, awaitFirst: name !== "options" && name !== "response" },
        );
        assert.deepEqual(log, ["open", "message", "close"], name);
      } finally {
        await close();
      }
    }
  });

  test("what is not redial.wasm: worded errors", async () => {
    const { page, close } = await newPage(env, { load: false });
    try {
      const res = await page.evaluate(async () => {
        const { load } = window.redial;
        const settle = (p) => p.then(() => null, (e) => `${e.constructor.name}: ${e.message}`);
        const used = await fetch("/dist/redial.wasm");
        await used.arrayBuffer();
        return {
          number: await settle(load(42)),
          noWasmURL: await settle(load({ wasmExecURL: "/x.js" })),
          empty: await settle(load("")),
          rejected: await settle(load(Promise.reject(new Error("offline")))),
          junk: await settle(load(Promise.resolve(7))),
          bodyUsed: await settle(load(used)),
          notFound: await settle(load(fetch("/dist/nope.wasm"))),
          notWasm: await settle(load(new Uint8Array([1, 2, 3]))),
        };
      });
      const forms =
        "a URL (string or URL), a WebAssembly.Module, its bytes (ArrayBuffer or typed array), " +
        "a Response or a promise of one (under Node also a file path), alone or as load({ wasmURL })";
      assert.deepEqual(res, {
        number: `TypeError: redial-ws: load() takes redial.wasm as ${forms}; not number`,
        noWasmURL: `TypeError: redial-ws: load() needs redial.wasm: ${forms}; got undefined`,
        empty: `TypeError: redial-ws: load() needs redial.wasm: ${forms}; got an empty string`,
        rejected: "Error: redial-ws: the promise given to load() rejected: offline",
        junk: `TypeError: redial-ws: load() takes redial.wasm as ${forms}; not number`,
        bodyUsed: `TypeError: redial-ws: the body of ${env.origin}/dist/redial.wasm was already read; give load() a fresh Response`,
        notFound: `Error: redial-ws: could not fetch ${env.origin}/dist/nope.wasm: HTTP 404`,
        notWasm: res.notWasm.startsWith("Error: redial-ws: the Uint8Array given (3 bytes) is not a loadable redial.wasm: ") ? res.notWasm : "(unexpected)",
      });
    } finally {
      await close();
    }
  });

  test("a wasmExecURL that does not load is reported", async () => {
    const { page, close } = await newPage(env, { load: false });
    try {
      const err = await page.evaluate(async () => {
        try {
          await window.redial.load({ wasmURL: "/dist/redial.wasm", wasmExecURL: "/dist/missing_exec.js" });
          return null;
        } catch (e) {
          return e.message;
        }
      });
      assert.match(err, new RegExp(`^redial-ws: could not load ${env.origin}/dist/missing_exec.js \\(Go's wasm_exec.js\\): `));
    } finally {
      await close();
    }
  });

  test("a socket's Go side is released when it is done", async () => {
    const { page, close } = await newPage(env);
    try {
      const res = await page.evaluate(async (ws) => {
        const { RedialSocket } = window.redial;
        const start = __redial.live();
        const startJS = __redialTransport.live; // sockets the SDK's transport is attached to
        const socks = [
          new RedialSocket(ws + "/echo"), // closed by the page once open
          new RedialSocket(ws + "/echo"), // closed while connecting
          new RedialSocket(ws + "/close?code=1008"), // closed by the server for good
          new RedialSocket(ws + "/status?code=500", undefined, { maxRetries: 1, minDelayMs: 5, maxDelayMs: 10 }), // gives up
        ];
        const recs = socks.map((s) => lib.record(s));
        const during = __redial.live();
        socks[1].close();
        await recs[0].waitType("open");
        socks[0].close(4000, "done");
        await Promise.all(recs.map((r) => r.waitFor((e) => e.type === "close" && !e.willReconnect, { what: "final close" })));
        // The release happens right after the final close event was handed over.
        await lib.waitUntil(() => __redial.live() === start, 2000, "live() back to its start");
        await lib.waitUntil(() => __redialTransport.live === startJS, 2000, "the transport's live count back to its start");
        return { start, during, end: __redial.live(), bufferedAfter: socks.map((s) => s.bufferedAmount) };
      }, env.ws);
      assert.equal(res.during, res.start + 4);
      assert.equal(res.end, res.start);
      assert.deepEqual(res.bufferedAfter, [0, 0, 0, 0]);
    } finally {
      await close();
    }
  });

  test("a page whose Content-Security-Policy forbids eval works", async () => {
    // The SDK's transport compiles its JS helper with new Function unless
    // index.js defined it: here it must not need to.
    const { page, close } = await newPage(env, { csp: "script-src 'self' 'wasm-unsafe-eval'" });
    try {
      // DevTools' evaluate may always eval: run the scenario in a task of
      // its own, where the page's policy applies.
      const res = await page.evaluate(
        (ws) =>
          new Promise((resolve, reject) =>
            setTimeout(async () => {
              try {
                let evalBlocked = false;
                try {
                  new Function("return 1")();
                } catch (e) {
                  evalBlocked = e instanceof EvalError;
                }
                const s = new window.redial.RedialSocket(ws + "/echo");
                const rec = lib.record(s, ["open", "message", "close", "error"]);
                await rec.waitType("open");
                s.send("under a strict CSP");
                await rec.waitType("message");
                s.close();
                await rec.waitType("close");
                resolve({ evalBlocked, log: rec.log.map((e) => e.type + (e.text ? ":" + e.text : "")) });
              } catch (err) {
                reject(err);
              }
            }, 0),
          ),
        env.ws,
      );
      assert.equal(res.evalBlocked, true, "the CSP should forbid eval on this page");
      assert.deepEqual(res.log, ["open", "message:under a strict CSP", "close"]);
    } finally {
      await close();
    }
  });
});
