// A/B of two builds of the browser package, side by side in one Chromium:
// page A loads dist A, page B dist B (each its own browsing context), each
// keeps one raw WebSocket and one RedialSocket open to the same echo
// server, and short blocks (lone round trips, then pipelined echoes)
// alternate A-raw, A-redial, B-raw, B-redial many times, so background
// load hits all four alike. Prints medians over blocks. For development
// (not part of make bench).
//
//	node bench/browser/ab.mjs DIST_A DIST_B [blocks]
//
// BENCH_SIZES=16,1024 (default) picks the sizes; AB_INIT_A / AB_INIT_B: a
// script each page runs before loading its build.
import path from "node:path";

import { buildTestServer, launchBrowser, startTestServer } from "../../test/js/helpers.js";
import { fmt, here, median, out, startStatic, table } from "./lib.mjs";

const [dirA, dirB] = process.argv.slice(2, 4).map((d) => path.resolve(d));
const BLOCKS = Number(process.argv[4] ?? 30);
const SIZES = (process.env.BENCH_SIZES ?? "16,1024").split(",").map(Number);
const RTT_N = 30; // lone round trips per block
const TPUT_N = 600; // pipelined echoes per block, 64 in flight
if (!dirA || !dirB) throw new Error("usage: node bench/browser/ab.mjs DIST_A DIST_B [blocks]");

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
  return [rtts[rtts.length >> 1], (tputN / ms) * 1000];
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
  rows.push(["B/A", size, fmt(m("Bredial", 1) / m("Aredial", 1)), fmt(m("Bredial", 0) / m("Aredial", 0)), "", "", "", ""]);
}
console.log(`A=${dirA}\nB=${dirB}\n${BLOCKS} blocks of ${RTT_N} lone round trips and ${TPUT_N} pipelined echoes (64 in flight), alternating\n`);
console.log(table(["variant", "size", "msgs/s redial/raw", "RTT redial/raw", "raw RTT µs", "redial RTT µs", "raw msgs/s", "redial msgs/s"], rows));
