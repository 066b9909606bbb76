// Where a browser client's time goes: Chromium's sampling CPU profiler (CDP
// Profiler domain, 50 µs) over lone 1 KiB round trips, then pipelined 1 KiB
// echoes, for each client named on the command line (default: raw redial);
// prints self time by function, top 20. Go pprof does not exist in wasm:
// Go's functions show as wasm-function[N] unless the wasm keeps its name
// section (build-js.sh strips it with -s -w; rebuild without to see names).
//
//	node bench/browser/profile.mjs [client...]
import { buildTestServer, launchBrowser, startTestServer } from "../../test/js/helpers.js";
import { benchPage, benchStatic, buildAssets, out } from "./lib.mjs";
import path from "node:path";

const clients = process.argv.slice(2).length ? process.argv.slice(2) : ["raw", "redial"];
const [bin, browser] = await Promise.all([buildTestServer(path.join(out, "browser/tmp")), launchBrowser(), buildAssets()]);
const ts = await startTestServer(bin);
const st = await benchStatic();
try {
  const { page } = await benchPage(browser, st);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 50 });
  for (const client of clients) {
    const args = { client, url: ts.ws + (client === "redial-resume" ? "/resume/echo" : "/echo"), size: 1024, n: 200, w: 64 };
    await page.evaluate((a) => window.bench.rtt(a), args); // warm-up
    for (const [what, fn, n] of [
      ["rtt", "rtt", 1000],
      ["tput", "tput", 5000],
    ]) {
      await cdp.send("Profiler.start");
      const t0 = Date.now();
      await page.evaluate(([f, a]) => window.bench[f](a), [fn, { ...args, n }]);
      const ms = Date.now() - t0;
      const { profile } = await cdp.send("Profiler.stop");
      report(`${client} ${what} 1 KiB ×${n} (${ms} ms wall)`, profile);
    }
  }
} finally {
  await browser.close();
  await ts.stop();
  await st.close();
}

function report(title, profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const n = byId.get(id);
    const f = n.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url ? path.basename(f.url) + ":" + (f.lineNumber + 1) : ""}`.trim();
    const d = dt[i + 1] ?? 0;
    self.set(key, (self.get(key) ?? 0) + d);
    total += d;
  });
  console.log(`\n# ${title}: ${(total / 1000).toFixed(0)} ms sampled`);
  for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
    console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(1).padStart(7)} ms  ${k}`);
  }
}
