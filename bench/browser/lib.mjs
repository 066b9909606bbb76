// Shared by the browser benchmarks (browser.mjs, startup.mjs): the build of
// what the page loads into bench/out/browser/, a static server, statistics
// and table formatting. The testserver and Chromium come from the JS test
// suite's helpers (test/js/helpers.js), so the benchmarks run against what
// the tests run against.
import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { serveMounts, TYPES } from "../../test/js/helpers.js";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, "../..");
export const out = path.join(root, "bench/out");
export const built = path.join(out, "browser");

const run = promisify(execFile);

/** Go's env without GOOS/GOARCH from the caller. */
function goEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  if (!extra.GOOS) delete env.GOOS;
  if (!extra.GOARCH) delete env.GOARCH;
  return env;
}

/**
 * Builds into bench/out/browser/: peers.js (the JS peers, one ES module),
 * gowasm.wasm (bench/browser/gowasm) and Go's wasm_exec.js.
 */
export async function buildAssets() {
  await mkdir(built, { recursive: true });
  const esbuild = path.join(root, "node_modules/.bin/esbuild");
  const goroot = (await run("go", ["env", "GOROOT"], { env: goEnv() })).stdout.trim();
  await Promise.all([
    run(esbuild, [path.join(here, "peers.mjs"), "--bundle", "--format=esm", "--log-level=warning", `--outfile=${path.join(built, "peers.js")}`]),
    run("go", ["build", "-trimpath", "-ldflags=-s -w", "-o", path.join(built, "gowasm.wasm"), "./browser/gowasm"], {
      cwd: path.join(root, "bench"),
      env: goEnv({ GOOS: "js", GOARCH: "wasm" }),
    }),
    run("cp", [path.join(goroot, "lib/wasm/wasm_exec.js"), path.join(built, "wasm_exec.js")]),
  ]);
}

/**
 * A static server for the benchmark pages: mounts maps a URL prefix to a
 * directory; pages maps a path to HTML. The page is cross-origin isolated
 * (COOP/COEP), for performance.now() at 5 µs instead of 100 µs. cache:
 * "no-store" (default) or "max-age" (for the cached startup runs, with a
 * Last-Modified for revalidation). Resolves to {origin, close}.
 */
export function startStatic({ mounts, pages, cache = "no-store" }) {
  const iso = { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" };
  return serveMounts({
    mounts,
    route(url, res) {
      if (pages[url.pathname] === undefined) return false;
      res.writeHead(200, { "content-type": TYPES[".html"], "cache-control": "no-store", ...iso });
      res.end(pages[url.pathname]);
      return true;
    },
    fileHeaders: (st) => ({
      "cache-control": cache === "no-store" ? "no-store" : "max-age=3600",
      "last-modified": st.mtime.toUTCString(),
      "cross-origin-resource-policy": "same-origin",
    }),
  });
}

/** The q-quantile (0..1) of xs, nearest rank. */
export function quantile(xs, q) {
  const s = xs.filter((x) => x !== null).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
export const median = (xs) => quantile(xs, 0.5);

/** A markdown table from a header row and rows. */
export function table(header, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

export const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "–");

/**
 * The benchmark page (static server st, mounts /dist/, /b/ and /src/): a
 * fresh context with redial loaded, the peers as window.peers, Go's
 * wasm_exec.js and page.js as window.bench. Resolves to {context, page}.
 */
export async function benchPage(browser, st) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("pageerror", (err) => console.error("page error:", err));
  await page.goto(st.origin + "/");
  await page.evaluate(async () => {
    window.redial = await import("/dist/index.js");
    await window.redial.load({ wasmURL: "/dist/redial.wasm" });
    window.peers = await import("/b/peers.js");
    await import("/b/wasm_exec.js"); // sets globalThis.Go for the Go program
    window.bench = await import("/src/page.js");
    if (!self.crossOriginIsolated) throw new Error("page is not cross-origin isolated");
  });
  return { context, page };
}

/** The static server for benchPage. */
export function benchStatic() {
  return startStatic({
    mounts: { "/dist/": path.join(root, "dist"), "/b/": built, "/src/": here },
    pages: { "/": "<!doctype html><meta charset=utf-8><title>redial bench</title>" },
  });
}
