// A/B of two builds of the browser package, side by side in one Chromium:
// page A loads dist A, page B dist B (each its own browsing context), each
// keeps one raw WebSocket and one RedialSocket open to the same echo
// server, and short blocks (lone round trips, then pipelined echoes)
// alternate A-raw, A-redial, B-raw, B-redial many times, so background
// load hits all four alike. Prints medians over blocks, and how many calls
// into Go and MessageChannel tasks the transport helper made per message
// (the cost model: each call into Go pays syscall/js's fixed cost). For
// development (not part of make bench).
//
//	node bench/browser/ab.mjs DIST_A DIST_B [blocks]
//
// BENCH_SIZES=16,1024 (default) picks the sizes; AB_INIT_A / AB_INIT_B: a
// script each page runs before loading its build.
import { cp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";

import { buildTestServer, launchBrowser, startTestServer } from "../../test/js/helpers.js";
import { fmt, here, median, out, startStatic, table } from "./lib.mjs";

const [srcA, srcB] = process.argv.slice(2, 4).map((d) => path.resolve(d));
const BLOCKS = Number(process.argv[4] ?? 30);
const SIZES = (process.env.BENCH_SIZES ?? "16,1024").split(",").map(Number);
const RTT_N = 30; // lone round trips per block
const TPUT_N = 600; // pipelined echoes per block, 64 in flight
if (!srcA || !srcB) throw new Error("usage: node bench/browser/ab.mjs DIST_A DIST_B [blocks]");

// Each build is served from a copy whose transport helper counts its calls
// into Go (globalThis.__abGo) and its MessageChannel tasks (__abMC).
async function instrumented(src, name) {
  const dir = path.join(out, "ab", `run-${name}`);
  await rm(dir, { recursive: true, force: true });
  await cp(src, dir, { recursive: true });
  let js = await readFile(path.join(dir, "index.js"), "utf8");
  const count = (k) => `globalThis.${k} = (globalThis.${k} || 0) + 1;`;
  js = js.replace("attach(ws, go, limit) {", `attach(ws, go0, limit) {\n const go = (k) => { ${count("__abGo")} go0(k); };`);
  js = js.replace("ch.port1.onmessage = () => {", `ch.port1.onmessage = () => { ${count("__abMC")}`);
  await writeFile(path.join(dir, "index.js"), js);
  return dir;
}
const [dirA, dirB] = [await instrumented(srcA, "A"), await instrumented(srcB, "B")];

const [bin, browser] = await Promise.all([buildTestServer(path.join(out, "browser/tmp")), launchBrowser()]);
const ts = await startTestServer(bin);
const st = await startStatic({
  mounts: { "/dA/": dirA, "/dB/": dirB, "/src/": here },
  pages: { "/": "<!doctype html><meta charset=utf-8><title>redial ab</title>" },
});

// Runs in the page: one block on an open socket. Returns [median RTT ms, msgs/s].
async function block({ which, size, rttN, tputN }) {
  const ws = window.__ab[which];
  const msg = "x".repeat(size);
  const cnt = () => [globalThis.__abGo ?? 0, globalThis.__abMC ?? 0];
  const c0 = cnt();
  const rtts = [];
  for (let i = 0; i < rttN; i++) {
    const t0 = performance.now();
    await new Promise((r) => {
      ws.onmessage = r;
      ws.send(msg);
    });
    rtts.push(performance.now() - t0);
  }
  rtts.sort((a, b) => a - b);
  const c1 = cnt();
  const ms = await new Promise((resolve) => {
    let sent = 0;
    let got = 0;
    const pump = () => {
      while (sent < tputN && sent - got < 64) {
        ws.send(msg);
        sent++;
      }
    };
    const t0 = performance.now();
    ws.onmessage = () => {
      if (++got < tputN) return pump();
      resolve(performance.now() - t0);
    };
    pump();
  });
  ws.onmessage = null;
  const c2 = cnt();
  // Go calls and MessageChannel tasks of the helper, per message.
  const per = (a, b, n) => [(b[0] - a[0]) / n, (b[1] - a[1]) / n];
  return [rtts[rtts.length >> 1], (tputN / ms) * 1000, ...per(c0, c1, rttN), ...per(c1, c2, tputN)];
}

async function open(dist) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("pageerror", (err) => console.error(dist, "page error:", err));
  page.on("console", (m) => m.type() === "error" && console.error(dist, "console:", m.text()));
  await page.goto(st.origin + "/");
  const init = process.env[`AB_INIT_${dist === "dA" ? "A" : "B"}`] ?? "";
  await page.evaluate(
    async ([d, init, url]) => {
      (0, eval)(init);
      const redial = await import(`/${d}/index.js`);
      await redial.load({ wasmURL: `/${d}/redial.wasm` });
      const opened = (ws) => new Promise((r) => ws.addEventListener("open", r, { once: true }));
      window.__ab = { raw: new WebSocket(url), redial: new redial.RedialSocket(url) };
      await Promise.all(Object.values(window.__ab).map(opened));
    },
    [dist, init, ts.ws + "/echo"],
  );
  return page;
}

const res = {}; // res[size][key] = [[rtt, tput]]
try {
  const pages = { A: await open("dA"), B: await open("dB") };
  const run = (v, which, size, rttN, tputN) => pages[v].evaluate(block, { which, size, rttN, tputN });
  for (const v of ["A", "B"]) for (const w of ["raw", "redial"]) await run(v, w, 1024, 50, 1000); // warm-up
  for (const size of SIZES) {
    for (let b = 0; b < BLOCKS; b++) {
      const order = b % 2 ? ["B", "A"] : ["A", "B"];
      for (const v of order) {
        for (const w of b % 4 < 2 ? ["raw", "redial"] : ["redial", "raw"]) {
          ((res[size] ??= {})[v + w] ??= []).push(await run(v, w, size, RTT_N, TPUT_N));
        }
      }
    }
    console.error(`ab: ${size} B done`);
  }
} finally {
  await browser.close();
  await ts.stop();
  await st.close();
}
const rows = [];
for (const size of SIZES) {
  const m = (k, i) => median(res[size][k].map((x) => x[i]));
  // Per block pair: redial / raw in the same page, then the median.
  const ratio = (v, i) => median(res[size][v + "redial"].map((x, j) => x[i] / res[size][v + "raw"][j][i]));
  for (const v of ["A", "B"]) {
    rows.push([v, size, fmt(ratio(v, 1)), fmt(ratio(v, 0)), fmt(m(v + "raw", 0) * 1000, 0), fmt(m(v + "redial", 0) * 1000, 0), fmt(m(v + "raw", 1), 0), fmt(m(v + "redial", 1), 0)]);
  }
  for (const v of ["A", "B"]) {
    console.log(`${v} ${size} B: per lone round trip ${fmt(m(v + "redial", 2))} Go calls, ${fmt(m(v + "redial", 3))} probe tasks; per pipelined message ${fmt(m(v + "redial", 4), 3)} Go calls, ${fmt(m(v + "redial", 5), 3)} probe tasks`);
  }
  rows.push(["B/A", size, fmt(m("Bredial", 1) / m("Aredial", 1)), fmt(m("Bredial", 0) / m("Aredial", 0)), "", "", "", ""]);
}
console.log(`A=${srcA}\nB=${srcB}\n${BLOCKS} blocks of ${RTT_N} lone round trips and ${TPUT_N} pipelined echoes (64 in flight), alternating\n`);
console.log(table(["variant", "size", "msgs/s redial/raw", "RTT redial/raw", "raw RTT µs", "redial RTT µs", "raw msgs/s", "redial msgs/s"], rows));
