// The npm package as users get it: `npm pack` (whose prepack builds, or
// fails loudly), its file list and README, then installed into an empty
// folder (offline: it has no dependencies) and imported by a page from there.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { access, mkdir, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";

import { root, setup, startStatic } from "./helpers.js";
import { npmEnv, pack, unpack } from "./pack.js";

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
  test("npm pack: every public file, the npm README and the LICENSE; the repo README stays", async () => {
    const repoReadme = await readFile(path.join(root, "README.md"), "utf8");
    const { tarball, files } = await pack(path.join(env.tmp, "files"), npmEnv(env.tmp));
    // The bundle (Go's wasm_exec.js inside), the wasm, and the types tsc
    // wrote from js/*.ts: one .d.ts per module.
    const dts = (await readdir(path.join(root, "js")))
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
      .map((f) => `dist/${f.replace(/\.ts$/, ".d.ts")}`);
    assert.deepEqual(files, [...dts, "LICENSE", "README.md", "dist/index.js", "dist/redial.wasm", "package.json"].sort());
    assert.equal(await readFile(path.join(root, "README.md"), "utf8"), repoReadme, "postpack put the repo README back");

    const pkgDir = await unpack(tarball, path.join(env.tmp, "files-app"));
    assert.equal(await readFile(path.join(pkgDir, "README.md"), "utf8"), await readFile(path.join(root, "js/README.md"), "utf8"));
    assert.match(await readFile(path.join(pkgDir, "LICENSE"), "utf8"), /^MIT License\n\nCopyright \(c\) \d{4} redial authors\n/);
    const pkg = JSON.parse(await readFile(path.join(pkgDir, "package.json"), "utf8"));
    assert.equal(pkg.license, "MIT");
    // Every public file is reachable through exports (Node refuses the rest).
    assert.deepEqual(pkg.exports, {
      ".": { types: "./dist/index.d.ts", import: "./dist/index.js", default: "./dist/index.js" },
      "./redial.wasm": "./dist/redial.wasm",
      "./package.json": "./package.json",
    });
    for (const target of ["./dist/index.d.ts", "./dist/index.js", "./dist/redial.wasm"]) await access(path.join(pkgDir, target));
  });

  test("npm pack without Go: prepack fails loudly, nothing is packed", async () => {
    const noGo = process.env.PATH.split(path.delimiter)
      .filter((d) => !/\/go\/bin$|\/go$/.test(d))
      .join(path.delimiter);
    const out = path.join(env.tmp, "nogo");
    await mkdir(out);
    const err = await run("npm", ["pack", "--pack-destination", out], { cwd: root, env: { ...npmEnv(env.tmp), PATH: noGo } }).then(
      () => null,
      (e) => e,
    );
    assert.ok(err, "npm pack should fail without Go");
    assert.match(err.stderr, /prepack: building redial\.wasm needs Go/);
    assert.deepEqual(await readdir(out), []);
  });

  test("npm pack → npm install → import from a page", async () => {
    const { tarball } = await pack(path.join(env.tmp, "pack"), npmEnv(env.tmp));
    const app = path.join(env.tmp, "app");
    await mkdir(app);
    await run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball], { cwd: app, env: npmEnv(env.tmp) });
    const installed = path.join(app, "node_modules", "redial-ws");
    const pkg = JSON.parse(await readFile(path.join(installed, "package.json"), "utf8"));
    await access(path.join(installed, pkg.types));

    pkgServer = await startStatic({ "/node_modules/redial-ws/": installed });
    const context = await env.browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(pkgServer.origin + "/");
      const res = await page.evaluate(async (ws) => {
        const { load, RedialSocket, version } = await import("/node_modules/redial-ws/dist/index.js");
        await load("/node_modules/redial-ws/dist/redial.wasm");
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
