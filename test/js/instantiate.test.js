// load() compiles redial.wasm while it downloads (WebAssembly.instantiateStreaming)
// when the server sends it as application/wasm, and falls back to
// WebAssembly.instantiate on the bytes otherwise (another content type, or
// a browser without instantiateStreaming); each way the runtime starts and
// a socket opens and echoes.
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

// Loads redial.wasm in a fresh page as `how` says, counting the calls to
// WebAssembly.instantiateStreaming and .instantiate, then echoes one message.
async function loadAndEcho(how) {
  const { page, close } = await newPage(env, { load: false });
  try {
    return await page.evaluate(
      async ({ how, ws }) => {
        const calls = { streaming: 0, instantiate: 0 };
        const { instantiateStreaming, instantiate } = WebAssembly;
        WebAssembly.instantiate = (...a) => (calls.instantiate++, instantiate(...a));
        WebAssembly.instantiateStreaming =
          how === "no-streaming" ? undefined : (...a) => (calls.streaming++, instantiateStreaming(...a));
        let source = "/dist/redial.wasm";
        if (how === "octet-stream") {
          const bytes = await (await fetch(source)).arrayBuffer();
          source = new Response(bytes, { headers: { "content-type": "application/octet-stream" } });
        }
        await window.redial.load(source);
        const s = new window.redial.RedialSocket(ws + "/echo");
        const rec = lib.record(s);
        await rec.waitType("open");
        s.send("hi");
        const m = await rec.waitType("message");
        s.close();
        await rec.waitType("close");
        return { calls, echo: m.text };
      },
      { how, ws: env.ws },
    );
  } finally {
    await close();
  }
}

describe("load() instantiation", { timeout: 60_000 }, () => {
  test("application/wasm: instantiateStreaming, once", async () => {
    const r = await loadAndEcho("streaming");
    assert.deepEqual(r, { calls: { streaming: 1, instantiate: 0 }, echo: "hi" });
  });
  test("another content type: instantiate on the bytes", async () => {
    const r = await loadAndEcho("octet-stream");
    assert.deepEqual(r, { calls: { streaming: 0, instantiate: 1 }, echo: "hi" });
  });
  test("no instantiateStreaming in this browser: instantiate on the bytes", async () => {
    const r = await loadAndEcho("no-streaming");
    assert.deepEqual(r, { calls: { streaming: 0, instantiate: 1 }, echo: "hi" });
  });
});
