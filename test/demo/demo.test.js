// The demo, run as a user would: build and start the demo server, open the
// page in headless Chromium, press every fault button and watch the page
// say what the policy decided and the RedialSocket come back.
//
//   node --test test/demo/        (needs dist/: make wasm, or scripts/build-js.sh)
//
// Every wait is on DOM state with a deadline; nothing sleeps and hopes. The
// page's DOM contract is at the top of demo/web/app.js. It also writes
// docs/demo.png, the README's screenshot (1280×800).
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { chromium } from "playwright-core";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const dist = path.join(root, "dist");
// CI writes the screenshot under test-results/ (a test must not modify a
// tracked file); REDIAL_UPDATE_SCREENSHOT=1 refreshes the README's copy.
const screenshot = process.env.REDIAL_UPDATE_SCREENSHOT === "1"
  ? path.join(root, "docs/demo.png")
  : path.join(root, "test-results/demo.png");

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let tmp;
let server; // { url, stop }
let browser;
let context;
let page;
const pageErrors = [];

/** Builds demo/server into dir and starts it on a free port. */
async function startServer(dir) {
  const bin = path.join(dir, "redial-demo");
  const env = { ...process.env };
  delete env.GOOS; // a host binary, whatever the caller's shell says
  delete env.GOARCH;
  delete env.PORT;
  await promisify(execFile)("go", ["build", "-o", bin, "./demo/server"], { cwd: root, env });
  const child = spawn(bin, ["-addr", "127.0.0.1:0", "-web", path.join(root, "demo/web"), "-dist", dist, "-quiet"], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill); // also when after() never runs
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const url = await withDeadline(
    new Promise((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
        const m = /redial demo: (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once("exit", (code) => reject(new Error(`demo server exited (${code}) before printing its URL: ${stderr}`)));
      child.once("error", reject);
    }),
    20_000,
    "the demo server to print its URL",
  );
  return {
    url,
    async stop() {
      process.off("exit", kill);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM"); // it shuts down within 2 s
      try {
        await withDeadline(exited, 5000, "the demo server to exit on SIGTERM");
      } catch {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}

function withDeadline(p, ms, what) {
  let timer;
  return Promise.race([
    p,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** What the page shows, for failure messages. */
async function dump(p = page) {
  try {
    return await p.evaluate(() => {
      const col = (id) => {
        const el = document.querySelector(`#col-${id}`);
        const c = (k) => el.querySelector(`[data-counter="${k}"]`).textContent;
        const rows = [...el.querySelectorAll(".timeline li")].slice(0, 10).map(
          (li) => `    #${li.dataset.seq} ${li.dataset.kind}${li.dataset.decision ? ` [${li.dataset.decision}]` : ""}: ${li.textContent}`,
        );
        return `  ${id}: state=${el.dataset.state} attempt=${el.dataset.attempt} silent=${el.dataset.silent} received=${c("received")} missed=${c("missed")} reconnects=${c("reconnects")}\n${rows.join("\n")}`;
      };
      const v = document.querySelector("#hs-verdict");
      return `page now (newest first):\n${col("raw")}\n${col("redial")}\n  handshake: verified=${v.dataset.verified} “${v.textContent}”\n  echo: ${document.querySelector("#echo-state").textContent}`;
    });
  } catch (err) {
    return `(could not read the page: ${err.message})`;
  }
}

/** Waits until fn(arg), run in the page, returns something truthy; returns it. */
async function until(what, fn, arg, ms, p = page) {
  try {
    const handle = await p.waitForFunction(fn, arg, { timeout: ms, polling: 100 });
    return await handle.jsonValue();
  } catch (err) {
    if (!/Timeout/i.test(err.message)) throw err;
    const shot = path.join(tmp, `failure-${Date.now()}.png`);
    await p.screenshot({ path: shot, fullPage: true }).catch(() => {});
    throw new Error(`timed out after ${ms} ms waiting for ${what}\n${await dump(p)}\n  screenshot: ${shot}`);
  }
}

/** The newest timeline row number: rows logged later have a larger data-seq. */
const lastSeq = () =>
  page.evaluate(() => Math.max(0, ...[...document.querySelectorAll(".timeline li")].map((li) => Number(li.dataset.seq))));

const counter = (col, name) =>
  page.evaluate(([col, name]) => Number(document.querySelector(`#col-${col} [data-counter="${name}"]`).textContent), [col, name]);

/** Both columns open, and the handshake verified (or just the redial column). */
async function waitOpen(ms, { raw = false } = {}) {
  await until(
    raw ? "both columns open" : "the redial column open",
    (raw) => ["redial", ...(raw ? ["raw"] : [])].every((id) => document.querySelector(`#col-${id}`).dataset.state === "open"),
    raw,
    ms,
  );
  await until('the handshake panel to say verified (data-verified="true")', () => {
    const v = document.querySelector("#hs-verdict");
    return v.dataset.verified === "true" && v.textContent.includes("verified");
  }, undefined, 5000);
}

/** Presses Reset: heal the server, fresh clients, wait until all is open. */
async function reset() {
  await page.click("#reset");
  await until(
    "fresh clients after Reset",
    () => ["raw", "redial"].every((id) => document.querySelector(`#col-${id} .timeline li[data-kind="open"]`)),
    undefined,
    10_000,
  );
  await waitOpen(10_000, { raw: true });
  await until("the echo socket open after Reset", () => document.querySelector("#echo-state").dataset.state === "open", undefined, 10_000);
}

/**
 * Presses a fault button; resolves to the timeline number before it, so
 * waits can look only at what happened after.
 */
async function press(selector) {
  const before = await lastSeq();
  await page.click(selector);
  await until(
    "the fault to show in the timeline",
    (before) => [...document.querySelectorAll("#col-redial .timeline li[data-kind=fault]")].some((li) => Number(li.dataset.seq) > before),
    before,
    2000,
  );
  return before;
}

/**
 * The policy's first decision in the redial timeline after row `after`:
 * {decision, code, delayMs, kind, text}. A reconnect decision is complete
 * once it has its delay.
 */
function decisionAfter(after, ms) {
  return until(
    "the redial timeline to show what the policy decided",
    (after) => {
      const rows = [...document.querySelectorAll("#col-redial .timeline li[data-decision]")].filter(
        (li) => Number(li.dataset.seq) > after,
      );
      const li = rows.at(-1); // newest first, so this is the first one after the fault
      if (!li || (li.dataset.decision === "reconnect" && !li.dataset.delayMs)) return null;
      return {
        decision: li.dataset.decision,
        code: li.dataset.code ? Number(li.dataset.code) : null,
        delayMs: li.dataset.delayMs ? Number(li.dataset.delayMs) : null,
        kind: li.dataset.kind,
        text: li.textContent,
      };
    },
    after,
    ms,
  );
}

/** Waits for an "open again" row after row `after` and the column open. */
async function reopened(after, ms) {
  await until(
    "the redial column to open again",
    (after) =>
      document.querySelector("#col-redial").dataset.state === "open" &&
      [...document.querySelectorAll("#col-redial .timeline li[data-kind=open]")].some((li) => Number(li.dataset.seq) > after),
    after,
    ms,
  );
  await waitOpen(1000);
}

/**
 * Keeps each case short: the policy resets its attempt counter only after
 * a connection stayed open 5 s, so back-to-back faults grow the backoff
 * (1 s, 2 s, 4 s, 8 s caps). When the last reconnect took more than one
 * attempt, press Reset (as a user would) for a fresh client.
 */
async function freshIfNeeded() {
  const attempt = await page.evaluate(() => Number(document.querySelector("#col-redial").dataset.attempt));
  const open = await page.evaluate(() => document.querySelector("#col-redial").dataset.state === "open");
  if (attempt >= 2 || !open) await reset();
}

/** A fault that closes the connection, and what must follow. */
async function closeCase({ selector, code, decision, minDelayMs = 0, reopenMs = 15_000 }) {
  await freshIfNeeded();
  const before = await press(selector);
  const d = await decisionAfter(before, 5000);
  assert.equal(d.decision, decision, `policy decision after ${selector}: ${d.text}`);
  if (code !== undefined) assert.equal(d.code, code, `close code after ${selector}: ${d.text}`);
  // The raw WebSocket got the same fault and never comes back.
  await until("the raw column closed", () => document.querySelector("#col-raw").dataset.state === "closed", undefined, 3000);
  if (decision === "final") {
    assert.match(d.text, /final/);
    await until("the redial column closed for good", () => document.querySelector("#col-redial").dataset.state === "closed", undefined, 2000);
    await reset();
    return d;
  }
  assert.ok(d.delayMs >= minDelayMs, `reconnect delay ${d.delayMs} ms should be ≥ ${minDelayMs} ms: ${d.text}`);
  assert.match(d.text, /reconnect in \d+(\.\d)? m?s( \(≥ 5 s after \d+\))? · attempt \d+/);
  await reopened(before, reopenMs);
  return d;
}

/** A refusal case: cut, the next 2 attempts are refused, then it opens. */
async function refuseCase(status) {
  await freshIfNeeded();
  const before = await press(`button[data-fault="refuse"][data-status="${status}"]`);
  const d = await decisionAfter(before, 5000);
  assert.equal(d.decision, "reconnect", d.text);
  assert.equal(d.code, 1006, `the cut shows as 1006: ${d.text}`);
  // A browser never learns the status; the page says so, and shows what
  // the server (which does know) answered.
  const failed = await until(
    `a failed attempt annotated with the server's ${status}`,
    ([after, status]) =>
      [...document.querySelectorAll("#col-redial .timeline li[data-kind=failed]")]
        .filter((li) => Number(li.dataset.seq) > after)
        .map((li) => li.textContent)
        .find((t) => t.includes(`the server sent ${status}`)),
    [before, status],
    15_000,
  );
  assert.match(failed, /browsers hide the HTTP status/);
  assert.match(failed, /reconnect in \d/, "the failed attempt shows the next wait");
  await reopened(before, 25_000);
}

before(async () => {
  for (const f of ["index.js", "redial.wasm"]) {
    if (!existsSync(path.join(dist, f))) {
      throw new Error(`dist/${f} is missing: build it first (make wasm, or scripts/build-js.sh)`);
    }
  }
  tmp = await mkdtemp(path.join(tmpdir(), "redial-demo-test-"));
  const rmTmp = () => rmSync(tmp, { recursive: true, force: true });
  process.once("exit", rmTmp);
  [server, browser] = await Promise.all([
    startServer(tmp),
    chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS, timeout: 60_000 }),
  ]);
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err));
});

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
});

describe("make demo, as a user sees it", { timeout: 150_000 }, () => {
  test("the page loads redial.wasm, both sockets open, the handshake is verified", async () => {
    await page.goto(server.url);
    const ready = await until("redial.wasm to load (body[data-ready])", () => document.body.dataset.ready, undefined, 30_000);
    assert.equal(ready, "true", await page.textContent("#load-status"));
    await waitOpen(10_000, { raw: true });
    const hs = await page.evaluate(() => ({
      key: document.querySelector("#hs-key").textContent,
      computed: document.querySelector("#hs-computed").textContent,
      response: document.querySelector("#hs-response").textContent,
      badge: document.querySelector("#hs-badge").dataset.verified,
    }));
    assert.match(hs.key, /^[A-Za-z0-9+/]{22}==$/, "a 16-byte base64 Sec-WebSocket-Key");
    assert.match(hs.response, /101 Switching Protocols/);
    assert.ok(hs.response.includes(hs.computed), "the server's Sec-WebSocket-Accept is the value the page computed");
    assert.equal(hs.badge, "true");
    await until("ticks arriving in both columns", () =>
      ["raw", "redial"].every((id) => Number(document.querySelector(`#col-${id} [data-counter=received]`).textContent) > 3), undefined, 5000);
  });

  for (const [code, decision, minDelayMs] of [
    [1000, "reconnect"],
    [1001, "reconnect"],
    [1008, "final"],
    [1011, "reconnect"],
    [1012, "reconnect", 5000],
    [1013, "reconnect", 5000],
    [4000, "reconnect"],
    [4500, "final"],
  ]) {
    test(`close ${code}: ${decision}${minDelayMs ? " after ≥ 5 s" : ""}`, async () => {
      await closeCase({ selector: `button[data-fault="close"][data-code="${code}"]`, code, decision, minDelayMs });
    });
  }

  test("cut TCP: 1006, reconnect; the raw WebSocket stays closed", async () => {
    await closeCase({ selector: 'button[data-fault="cut"]', code: 1006, decision: "reconnect" });
    const headline = await page.textContent('[data-testid="headline-raw"]');
    assert.match(headline, /no reconnection: stays closed/);
  });

  test("stall: half-open, missed ticks grow while both say OPEN (a browser cannot ping)", async () => {
    await freshIfNeeded();
    const missedBefore = await counter("redial", "missed");
    const before = await press('button[data-fault="stall"]');
    // Nothing closes: the socket stays OPEN and silent, and the page says so.
    await until(
      "the redial column silent while OPEN",
      () => {
        const el = document.querySelector("#col-redial");
        return el.dataset.state === "open" && el.dataset.silent === "true" && /still OPEN/.test(el.querySelector(".headline").textContent);
      },
      undefined,
      4000,
    );
    // The stall lasts 5 s; then ticks resume on the same connection, with
    // the ones sent meanwhile lost, and the timeline says it was not detected.
    const row = await until(
      "ticks to resume after the stall",
      (after) =>
        [...document.querySelectorAll("#col-redial .timeline li[data-kind=silence]")]
          .filter((li) => Number(li.dataset.seq) > after)
          .map((li) => li.textContent)[0],
      before,
      10_000,
    );
    assert.match(row, /stayed OPEN/);
    const rows = await page.evaluate(
      (after) => [...document.querySelectorAll("#col-redial .timeline li")].filter((li) => Number(li.dataset.seq) > after).map((li) => li.dataset.kind),
      before,
    );
    assert.ok(!rows.includes("close") && !rows.includes("open"), `no close or reconnect during a stall: ${rows}`);
    assert.ok((await counter("redial", "missed")) >= missedBefore + 30, "≥ 30 ticks (3 s) lost to the stall");
    await until("the redial column receiving again", () => document.querySelector("#col-redial").dataset.silent === "false", undefined, 2000);
  });

  test("server down 3 s: reconnects when it is back; a message sent meanwhile is delivered", async () => {
    await freshIfNeeded();
    const before = await press('button[data-fault="restart"]');
    const d = await decisionAfter(before, 5000);
    assert.equal(d.decision, "reconnect", d.text);
    assert.equal(d.code, 1006, d.text);
    // Send on the echo socket while it is down: queued, then flushed.
    await until("the echo socket down", () => document.querySelector("#echo-state").dataset.state !== "open", undefined, 3000);
    const text = `sent while down ${Date.now()}`;
    await page.fill("#send-text", text);
    await page.click("#send-form button[type=submit]");
    const out = await page.evaluate(() => document.querySelector("#echo-log li[data-dir=out]").textContent);
    assert.ok(out.includes(text) && /queued while (reconnecting|connecting)/.test(out), `the send shows as queued: ${out}`);
    await reopened(before, 25_000);
    await until(
      "the queued message echoed after the reconnect",
      (text) => [...document.querySelectorAll("#echo-log li[data-dir=in]")].some((li) => li.textContent.includes(text)),
      text,
      25_000,
    );
  });

  for (const status of [401, 429, 503]) {
    test(`refuse ${status} ×2: browsers hide the status, redial retries and opens`, async () => {
      await refuseCase(status);
    });
  }

  test("the counters tell the story; nothing failed on the page", async () => {
    const rawMissed = await counter("raw", "missed");
    const rawReconnects = await counter("raw", "reconnects");
    const redialReconnects = await counter("redial", "reconnects");
    assert.ok(rawMissed > 0, `raw WebSocket missed ticks: ${rawMissed}`);
    assert.equal(rawReconnects, 0, "a WebSocket never reconnects");
    assert.ok(redialReconnects > 0, `RedialSocket reconnects: ${redialReconnects}`);
    assert.equal(await page.textContent('[data-testid="state-raw"]'), "closed");
    assert.equal(await page.textContent('[data-testid="state-redial"]'), "open");
    const faultErrors = await page.evaluate(() => [...document.querySelectorAll(".timeline li[data-kind=fault-error]")].map((li) => li.textContent));
    assert.deepEqual(faultErrors, [], "every fault request succeeded");
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 1280, `no horizontal scroll at 1280 px (scrollWidth ${width})`);
    assert.deepEqual(pageErrors.map(String), [], "no uncaught errors on the page");
  });

  test("docs/demo.png: fresh clients, two faults, the difference in plain sight", async () => {
    await reset();
    await page.fill("#send-text", "hello, redial");
    await page.click("#send-form button[type=submit]");
    await until("the echo", () => document.querySelector("#echo-log li[data-dir=in]"), undefined, 5000);
    await until("a couple of seconds of ticks", () =>
      Number(document.querySelector("#col-raw [data-counter=received]").textContent) >= 15, undefined, 5000);
    let before = await press('button[data-fault="close"][data-code="1001"]');
    assert.equal((await decisionAfter(before, 5000)).decision, "reconnect");
    await reopened(before, 15_000);
    before = await press('button[data-fault="cut"]');
    // A message sent while the echo socket is down shows as queued, then
    // delivered (if the socket is back already, it is simply echoed).
    await until("the echo socket down", () => document.querySelector("#echo-state").dataset.state !== "open", undefined, 3000).catch(() => {});
    await page.fill("#send-text", "sent during the cut");
    await page.click("#send-form button[type=submit]");
    assert.equal((await decisionAfter(before, 5000)).decision, "reconnect");
    await reopened(before, 15_000);
    await until("the echo delivered", () =>
      [...document.querySelectorAll("#echo-log li[data-dir=in]")].some((li) => li.textContent.includes("sent during the cut")), undefined, 15_000);
    // Let the gap grow: the raw socket misses 10 ticks a second from its close on.
    await until("the raw column 100 ticks behind", () =>
      Number(document.querySelector("#col-raw [data-counter=missed]").textContent) >= 100, undefined, 15_000);
    await page.evaluate(() => window.scrollTo(0, 0));
    await mkdir(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot });
    assert.ok((await stat(screenshot)).size > 20_000, `${path.relative(root, screenshot)} written`);
    await context.close();
  });

  test("a narrow phone (390 px): no horizontal scroll, both columns side by side", async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    try {
      const p = await phone.newPage();
      const errors = [];
      p.on("pageerror", (err) => errors.push(err));
      await p.goto(server.url);
      await until("the page ready and both columns open", () =>
        document.body.dataset.ready === "true" &&
        ["raw", "redial"].every((id) => document.querySelector(`#col-${id}`).dataset.state === "open"), undefined, 30_000, p);
      // Long timeline rows too: a cut, and the reconnect after it.
      await p.tap('button[data-fault="cut"]');
      await until("the redial column open again", () =>
        document.querySelector("#col-raw").dataset.state === "closed" &&
        document.querySelectorAll("#col-redial .timeline li[data-kind=open]").length >= 2, undefined, 15_000, p);
      const layout = await p.evaluate(() => {
        const r = (id) => document.querySelector(`#col-${id}`).getBoundingClientRect();
        return { scrollWidth: document.documentElement.scrollWidth, raw: r("raw").toJSON(), redial: r("redial").toJSON() };
      });
      assert.ok(layout.scrollWidth <= 390, `no horizontal scroll at 390 px (scrollWidth ${layout.scrollWidth})`);
      assert.equal(Math.round(layout.raw.top), Math.round(layout.redial.top), "the columns sit side by side");
      assert.ok(layout.redial.right <= 390, "the redial column fits");
      assert.deepEqual(errors.map(String), []);
    } finally {
      await phone.close();
    }
  });
});
