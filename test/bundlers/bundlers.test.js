// redial-ws as an app's bundler sees it: `npm pack`, the tarball unpacked
// into each fixture (test/bundlers/<tool>/, its tool pinned in its own
// package-lock.json, installed by scripts/ensure-bundlers.sh), the fixture
// built with its own `npm run build` (Vite, esbuild, webpack 5, each
// referencing redial.wasm its standard way), the built app served from
// loopback and run in Chromium against a `ws` echo server: open, echo, a
// TCP cut, the reconnect and an echo again. Prints each path's time from
// `npm pack` to a connected page.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { launchBrowser, startStatic, startWsServer } from "../js/helpers.js";
import { npmEnv, pack, unpack } from "../js/pack.js";

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));

let tmp, tarball, packMs, browser, server;

before(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "redial-bundlers-"));
  [{ tarball, ms: packMs }, browser, server] = await Promise.all([pack(tmp, npmEnv(tmp)), launchBrowser(), startWsServer()]);
});
after(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Resolves once the page's window.redialLog satisfies pred; rejects with the log after ms. */
async function waitLog(page, pred, ms, what) {
  try {
    await page.waitForFunction(pred, undefined, { timeout: ms, polling: 20 });
  } catch {
    const log = await page.evaluate(() => window.redialLog);
    throw new Error(`timed out after ${ms} ms waiting for ${what}; log: ${JSON.stringify(log)}`);
  }
}

describe("bundlers", { timeout: 180_000 }, () => {
  // [fixture, page]: Vite's fixture has a page per way to name the wasm.
  const paths = [
    ["vite", "index.html"], // import wasmURL from "redial-ws/redial.wasm?url"
    ["vite", "url.html"], // new URL("redial-ws/redial.wasm", import.meta.url)
    ["esbuild", "index.html"], // --loader:.wasm=file
    ["webpack", "index.html"], // new URL("redial-ws/redial.wasm", import.meta.url)
  ];
  for (const [tool, html] of paths) {
    test(`${tool} ${html}: built from the npm pack tarball, open, echo, reconnect after a drop`, async (t) => {
      const app = path.join(here, tool);
      const t0 = performance.now();
      await unpack(tarball, app);
      await run("npm", ["run", "-s", "build"], { cwd: app, env: npmEnv(tmp) });
      const built = performance.now();
      const assets = await readdir(path.join(app, "dist/assets"));
      assert.equal(assets.filter((f) => f.endsWith(".wasm")).length, 1, `one wasm asset in ${tool}'s dist/assets: ${assets}`);
      assert.deepEqual(assets.filter((f) => /wasm_exec/.test(f)), [], "no wasm_exec.js beside the bundle");

      const site = await startStatic({ "/": path.join(app, "dist") });
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        const errors = [];
        page.on("pageerror", (e) => errors.push(e.message));
        await page.goto(`${site.origin}/${html}?ws=${encodeURIComponent(server.url + "/echo")}`);
        await waitLog(page, () => window.redialLog?.includes("message hello 1"), 15_000, "open and the first echo");
        const connected = performance.now();
        server.drop();
        await waitLog(page, () => window.redialLog.includes("message hello 2"), 15_000, "the reconnect and its echo");
        const log = await page.evaluate(() => {
          window.redialSocket.close();
          return window.redialLog;
        });
        assert.deepEqual(log, ["open 1", "message hello 1", "close 1006 true", "open 2", "message hello 2"]);
        assert.deepEqual(errors, []);
        const ms = (x) => `${Math.round(x)} ms`;
        t.diagnostic(
          `${tool} ${html}: npm pack → connected page ${ms(packMs + connected - t0)} (pack ${ms(packMs)}, unpack + build ${ms(built - t0)}, page ${ms(connected - built)})`,
        );
      } finally {
        await context.close();
        await site.close();
      }
    });
  }
});
