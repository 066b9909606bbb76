// The browser side of bench/run.d/60-backpressure.sh: one headless Chromium
// per variant (VARIANTS), run at the same time, each with one page that
// consumes 100 msg/s while the server offers 10,000 msg/s of 1 KiB.
// Every second: the summed VmRSS of the browser's renderer processes (from
// /proc: the page's process, where what WebSocket received and the page has
// not handled waits) and of all its processes, and the bytes the server's
// writes completed. Then the messages each page handled.
//
// Usage: node bench/cmd/backpressure/driver.mjs ORIGIN SECONDS OUT.csv OUT.json
// (OUT.json: per variant, messages handled, bytes sent, every sample.)
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { chromium } from "playwright-core";

const [origin, seconds, csvPath, jsonPath] = process.argv.slice(2);
const secs = Number(seconds);
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

// Two kinds of slow page. "blocking": onmessage takes 10 ms (busy), so the
// page's thread is never free: Chromium's WebSocket then reads no further
// either. "queued": onmessage only queues, a timer handles one message per
// 10 ms, the thread is mostly free: what the page handles at 100 msg/s is
// the app's business, what it receives meanwhile the socket's. The Go
// program (wasmreader) is the queued kind: it Reads one message each 10 ms.
const VARIANTS = {
  "WebSocket, blocking": { kind: "blocking" },
  "WebSocket, queued": { kind: "queued" },
  "RedialSocket over WebSocket, blocking": { kind: "blocking", lib: true, opts: { webSocketStream: false } },
  "RedialSocket over WebSocketStream, blocking": { kind: "blocking", lib: true, opts: { webSocketStream: true } },
  "Go sdk Read over WebSocket": { kind: "go", stream: false },
  "Go sdk Read over WebSocketStream": { kind: "go", stream: true },
};

// The page's start: a consumer of 100 msg/s.
async function start({ wsURL, kind, lib, opts, stream }) {
  globalThis.handled = 0;
  if (kind === "go") {
    await import("/wasm/wasm_exec.js");
    globalThis.floodURL = wsURL;
    globalThis.floodStream = stream;
    const go = new Go();
    const { instance } = await WebAssembly.instantiateStreaming(fetch("/wasm/wasmreader.wasm"), go.importObject);
    go.run(instance);
    return;
  }
  const busy = (ms) => {
    const end = performance.now() + ms;
    while (performance.now() < end);
  };
  let s;
  if (lib) {
    const redial = await import("/dist/index.js");
    await redial.load({ wasmURL: "/dist/redial.wasm" });
    s = new redial.RedialSocket(wsURL, [], opts);
  } else {
    s = new WebSocket(wsURL);
  }
  s.binaryType = "arraybuffer";
  if (kind === "blocking") {
    s.onmessage = () => {
      busy(10);
      globalThis.handled++;
    };
  } else {
    const q = [];
    s.onmessage = (e) => q.push(e.data);
    const next = () => {
      if (q.length > 0) {
        q.shift();
        globalThis.handled++;
      }
      setTimeout(next, 10);
    };
    next();
  }
  await new Promise((resolve, reject) => {
    s.onopen = resolve;
    s.onclose = (e) => reject(new Error("closed " + e.code));
  });
  globalThis.sock = s;
}

function children(pid) {
  const out = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(st.slice(st.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(d));
    } catch {}
  }
  return out;
}
function tree(pid) {
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...children(all[i]));
  return all;
}
function rss(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
function isRenderer(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("--type=renderer");
  } catch {
    return false;
  }
}

const runs = [];
try {
  for (const [name, v] of Object.entries(VARIANTS)) {
    // Playwright gives each launch a fresh profile of its own.
    const server = await chromium.launchServer({ executablePath: "/usr/bin/chromium", args: ARGS });
    const browser = await chromium.connect(server.wsEndpoint());
    const page = await (await browser.newContext()).newPage();
    await page.goto(origin + "/");
    runs.push({ name, v, server, browser, page, id: String(runs.length), samples: [] });
  }
  const wsBase = origin.replace(/^http/, "ws") + "/flood?id=";
  await Promise.all(runs.map((r) => r.page.evaluate(start, { wsURL: wsBase + r.id, kind: r.v.kind, lib: !!r.v.lib, opts: r.v.opts ?? {}, stream: !!r.v.stream })));
  const t0 = Date.now();
  for (let t = 1; t <= secs; t++) {
    await new Promise((res) => setTimeout(res, t0 + t * 1000 - Date.now()));
    const sent = await (await fetch(origin + "/sent")).json();
    for (const r of runs) {
      const pids = tree(r.server.process().pid);
      const rend = pids.filter(isRenderer).reduce((a, p) => a + rss(p), 0);
      const all = pids.reduce((a, p) => a + rss(p), 0);
      r.samples.push({ t, renderer: rend, all, sent: sent[r.id] ?? 0 });
    }
  }
  const sent = await (await fetch(origin + "/sent")).json();
  // A page answers between two tasks; one swamped by the flood may not
  // within 5 s: then its count is unknown (-1), which says enough.
  await Promise.all(
    runs.map(async (r) => {
      r.sentTotal = sent[r.id] ?? 0;
      r.handled = await Promise.race([
        r.page.evaluate(() => globalThis.handled).catch(() => -1),
        new Promise((res) => setTimeout(() => res(-1), 5_000)),
      ]);
    }),
  );
} finally {
  for (const r of runs) {
    await r.browser.close().catch(() => {});
    await r.server.close().catch(() => {});
  }
}
const lines = ["variant,t_s,renderer_rss_bytes,browser_rss_bytes,server_sent_bytes"];
for (const r of runs) for (const s of r.samples) lines.push(`"${r.name}",${s.t},${s.renderer},${s.all},${s.sent}`);
writeFileSync(csvPath, lines.join("\n") + "\n");
writeFileSync(jsonPath, JSON.stringify(runs.map((r) => ({ name: r.name, handled: r.handled, sent: r.sentTotal, samples: r.samples })), null, 1));
