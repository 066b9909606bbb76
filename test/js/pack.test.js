// The npm package as users get it: `npm pack`, installed into an empty
// folder (offline: it has no dependencies), imported by a page from there.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { access, mkdir, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";

import { dist, root, setup, startStatic } from "./helpers.js";

const run = promisify(execFile);

let env;
let pkgServer;

before(async () => {
  env = await setup();
});
after(async () => {
  await pkgServer?.close();
  await env?.close();
});

describe("npm package", { timeout: 120_000 }, () => {
  test("npm pack → npm install → import from a page", async () => {
    for (const f of ["index.js", "index.d.ts", "redial.wasm"]) {
      await access(path.join(dist, f)).catch(() => {
        throw new Error(`dist/${f} is missing: run scripts/build-js.sh first`);
      });
    }
    const npmEnv = { ...process.env, npm_config_cache: path.join(env.tmp, "npm-cache"), npm_config_update_notifier: "false" };
    const packDir = path.join(env.tmp, "pack");
    await mkdir(packDir);
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", packDir], { cwd: root, env: npmEnv });
    const [info] = JSON.parse(stdout);
    const files = info.files.map((f) => f.path).sort();
    // The bundle (Go's wasm_exec.js inside), the wasm, and the types tsc
    // wrote from js/*.ts: one .d.ts per module.
    const dts = (await readdir(path.join(root, "js")))
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
      .map((f) => `dist/${f.replace(/\.ts$/, ".d.ts")}`);
    const expected = [...dts, "dist/index.js", "dist/redial.wasm", "package.json"].sort();
    assert.deepEqual(
      files.filter((f) => !/^(README|LICENSE)/i.test(f)),
      expected,
    );
    const tarball = path.join(packDir, info.filename);

    const app = path.join(env.tmp, "app");
    await mkdir(app);
    await run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball], { cwd: app, env: npmEnv });
    const installed = path.join(app, "node_modules", "redial-ws");
    const pkg = JSON.parse(await readFile(path.join(installed, "package.json"), "utf8"));
    assert.equal(pkg.exports["."].import, "./dist/index.js");
    assert.equal(pkg.types, "./dist/index.d.ts");
    await access(path.join(installed, pkg.types));

    pkgServer = await startStatic({ "/node_modules/redial-ws/": installed });
    const context = await env.browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(pkgServer.origin + "/");
      const res = await page.evaluate(async (ws) => {
        const { load, RedialSocket, version } = await import("/node_modules/redial-ws/dist/index.js");
        await load({ wasmURL: "/node_modules/redial-ws/dist/redial.wasm" });
        const s = new RedialSocket(ws + "/echo");
        const got = await new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error("no echo within 5 s")), 5000);
          s.onopen = () => s.send("from the package");
          s.onmessage = (e) => {
            clearTimeout(timer);
            resolve(e.data);
          };
        });
        s.close();
        return { got, version };
      }, env.ws);
      assert.deepEqual(res, { got: "from the package", version: pkg.version });
    } finally {
      await context.close();
    }
  });
});
