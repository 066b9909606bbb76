// Builds the npm module from js/ into dist/: esbuild bundles the TypeScript
// sources, with two files from outside js/ spliced in as code (no eval, so a
// page whose Content-Security-Policy forbids it works):
//   redial:jshelper   sdk/jshelper.js, the SDK's browser transport helper
//                     (the SDK embeds the same file with go:embed)
//   redial:wasm_exec  Go's wasm_exec.js of the Go that built redial.wasm
//                     (REDIAL_WASM_EXEC, from $(go env GOROOT)/lib/wasm)
// and package.json's version as __REDIAL_VERSION__, as esbuild-wasm does;
// then tsc (--strict) writes dist/*.d.ts from the sources. Writes a file
// only when its content changed.
//
// Usage: node scripts/bundle.mjs [--types-only]
// (scripts/build-js.sh runs it; `make lint` runs it with --types-only).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import * as esbuild from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");
const typesOnly = process.argv.includes("--types-only");

function changed(file, text) {
  let old = null;
  try {
    old = readFileSync(file, "utf8");
  } catch {}
  if (old !== text) writeFileSync(file, text);
}

async function bundle() {
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  const wasmExec = process.env.REDIAL_WASM_EXEC;
  if (!wasmExec) throw new Error("bundle: set REDIAL_WASM_EXEC to Go's wasm_exec.js (scripts/build-js.sh does)");
  // Each file becomes a function the module exports, so it runs only when
  // load() calls it (wasm_exec.js sets globalThis.Go when run).
  const spliced = {
    "redial:jshelper": () => `${readFileSync(path.join(root, "sdk/jshelper.js"), "utf8")}\nexport default redialTransportHelper;\n`,
    "redial:wasm_exec": () => `export default function runWasmExec() {\n${readFileSync(wasmExec, "utf8")}\n}\n`,
  };
  const splice = {
    name: "redial-splice",
    setup(build) {
      build.onResolve({ filter: /^redial:/ }, (args) => ({ path: args.path, namespace: "redial" }));
      build.onLoad({ filter: /.*/, namespace: "redial" }, (args) => ({ contents: spliced[args.path](), loader: "js" }));
    },
  };
  const result = await esbuild.build({
    entryPoints: [path.join(root, "js/index.ts")],
    bundle: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    define: { __REDIAL_VERSION__: JSON.stringify(pkg.version) },
    banner: {
      js: `// redial-ws ${pkg.version}, built from js/*.ts by scripts/bundle.mjs. Includes Go's wasm_exec.js (Copyright The Go Authors, BSD-style license).`,
    },
    plugins: [splice],
    write: false,
    logLevel: "warning",
  });
  for (const f of result.outputFiles) changed(path.join(dist, "index.js"), f.text);
}

// The types, from the same sources, via a scratch dir so unchanged files
// keep their mtimes; a .d.ts whose module is gone is removed.
function types() {
  const tmp = mkdtempSync(path.join(tmpdir(), "redial-dts-"));
  try {
    const tsc = path.join(root, "node_modules/typescript/bin/tsc");
    execFileSync(process.execPath, [tsc, "-p", path.join(root, "js/tsconfig.json"), "--strict", "--outDir", tmp], { stdio: "inherit" });
    const want = new Set(readdirSync(tmp).filter((f) => f.endsWith(".d.ts")));
    for (const f of want) changed(path.join(dist, f), readFileSync(path.join(tmp, f), "utf8"));
    for (const f of readdirSync(dist)) if (f.endsWith(".d.ts") && !want.has(f)) rmSync(path.join(dist, f));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

mkdirSync(dist, { recursive: true });
if (!typesOnly) await bundle();
types();
