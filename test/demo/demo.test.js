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
import { mkdir, stat } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { buildServer, DemoPage, launchBrowser, prepare, root, startServer } from "./harness.js";

// CI writes the screenshot under test-results/ (a test must not modify a
// tracked file); REDIAL_UPDATE_SCREENSHOT=1 refreshes the README's copy.
const screenshot = process.env.REDIAL_UPDATE_SCREENSHOT === "1"
  ? path.join(root, "docs/demo.png")
  : path.join(root, "test-results/demo.png");

let tmp;
let server; // { url, stop }
let browser;
let context;
let demo; // the 1280×800 page

/** A fault that closes the connection, and what must follow. */
async function closeCase({ selector, code, decision, minDelayMs = 0, reopenMs = 15_000 }) {
  await demo.freshIfNeeded();
  // The button says beforehand what the policy then does.
  assert.equal(await demo.outcome(selector), decision, `the outcome ${selector} announces`);
  const before = await demo.press(selector);
  const d = await demo.decisionAfter(before, 5000);
  assert.equal(d.decision, decision, `policy decision after ${selector}: ${d.text}`);
  if (code !== undefined) assert.equal(d.code, code, `close code after ${selector}: ${d.text}`);
  // The raw WebSocket got the same fault and never comes back.
  await demo.until("the raw column closed", () => document.querySelector("#col-raw").dataset.state === "closed", undefined, 3000);
  if (decision === "final") {
    assert.match(d.text, /final/);
    await demo.until("the redial column closed for good", () => document.querySelector("#col-redial").dataset.state === "closed", undefined, 2000);
    await demo.reset();
    return d;
  }
  assert.ok(d.delayMs >= minDelayMs, `reconnect delay ${d.delayMs} ms should be ≥ ${minDelayMs} ms: ${d.text}`);
  assert.match(d.text, /reconnect in \d+(\.\d)? m?s( \(≥ 5 s after \d+\))? · attempt \d+/);
  await demo.reopened(before, reopenMs);
  // The resume column got the same fault: it resumed its session, and the
  // ticks sent meanwhile were replayed, none lost or twice.
  const r = await demo.resumeIntact(before, reopenMs);
  assert.equal(r.firstGap, null, `the resume column's ticks have no gap or duplicate after ${selector} (${r.received} ticks)`);
  assert.equal(r.missed, 0);
  return d;
}

/** A refusal case: cut, the next 2 attempts are refused, then it opens. */
async function refuseCase(status) {
  await demo.freshIfNeeded();
  const selector = `button[data-fault="refuse"][data-status="${status}"]`;
  assert.equal(await demo.outcome(selector), "reconnect", `the outcome ${selector} announces`);
  const before = await demo.press(selector);
  const d = await demo.decisionAfter(before, 5000);
  assert.equal(d.decision, "reconnect", d.text);
  assert.equal(d.code, 1006, `the cut shows as 1006: ${d.text}`);
  // A browser never learns the status; the page says so, and shows what
  // the server (which does know) answered.
  const failed = await demo.until(
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
  await demo.reopened(before, 25_000);
  // The resume column was cut and refused too; its session waited.
  const r = await demo.resumeIntact(before, 25_000);
  assert.equal(r.firstGap, null, `no gap or duplicate in the resume column after refused reconnects (${r.received} ticks)`);
}

before(async () => {
  tmp = await prepare();
  let bin;
  [bin, browser] = await Promise.all([buildServer(tmp), launchBrowser()]);
  server = await startServer(bin);
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  demo = new DemoPage(await context.newPage(), tmp);
});

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
});

describe("make demo, as a user sees it", { timeout: 150_000 }, () => {
  test("the page loads redial.wasm, both sockets open, the handshake is verified", async () => {
    await demo.open(server.url);
    const hs = await demo.page.evaluate(() => ({
      key: document.querySelector("#hs-key").textContent,
      computed: document.querySelector("#hs-computed").textContent,
      response: document.querySelector("#hs-response").textContent,
      badge: document.querySelector("#hs-badge").dataset.verified,
    }));
    assert.match(hs.key, /^[A-Za-z0-9+/]{22}==$/, "a 16-byte base64 Sec-WebSocket-Key");
    assert.match(hs.response, /101 Switching Protocols/);
    assert.ok(hs.response.includes(hs.computed), "the server's Sec-WebSocket-Accept is the value the page computed");
    assert.equal(hs.badge, "true");
    await demo.until("ticks arriving in both columns", () =>
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
    const headline = await demo.page.textContent('[data-testid="headline-raw"]');
    assert.match(headline, /no reconnection: stays closed/);
  });

  test("cut TCP: the resume column's missed ticks stay 0 while the plain RedialSocket's grow", async () => {
    await demo.freshIfNeeded();
    const redialMissed = await demo.counter("redial", "missed");
    const before = await demo.press('button[data-fault="cut"]');
    await demo.reopened(before, 15_000);
    const r = await demo.resumeIntact(before, 15_000);
    assert.equal(r.firstGap, null, `no gap or duplicate in the resume column (${r.received} ticks)`);
    assert.ok((await demo.counter("redial", "missed")) > redialMissed, "the plain RedialSocket lost the ticks sent while it was down");
  });

  test("stall: half-open, missed ticks grow while both say OPEN (a browser cannot ping)", async () => {
    await demo.freshIfNeeded();
    const missedBefore = await demo.counter("redial", "missed");
    assert.equal(await demo.outcome('button[data-fault="stall"]'), "undetected", "the Stall button says it goes unnoticed");
    const before = await demo.press('button[data-fault="stall"]');
    // Nothing closes: the socket stays OPEN and silent, and the page says so.
    await demo.until(
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
    const row = await demo.until(
      "ticks to resume after the stall",
      (after) =>
        [...document.querySelectorAll("#col-redial .timeline li[data-kind=silence]")]
          .filter((li) => Number(li.dataset.seq) > after)
          .map((li) => li.textContent)[0],
      before,
      10_000,
    );
    assert.match(row, /stayed OPEN/);
    const rows = await demo.page.evaluate(
      (after) => [...document.querySelectorAll("#col-redial .timeline li")].filter((li) => Number(li.dataset.seq) > after).map((li) => li.dataset.kind),
      before,
    );
    assert.ok(!rows.includes("close") && !rows.includes("open"), `no close or reconnect during a stall: ${rows}`);
    assert.ok((await demo.counter("redial", "missed")) >= missedBefore + 30, "≥ 30 ticks (3 s) lost to the stall");
    await demo.until("the redial column receiving again", () => document.querySelector("#col-redial").dataset.silent === "false", undefined, 2000);
  });

  test("stall: the resume column's ping detects it, reconnects, and replays what the stall held", async () => {
    await demo.freshIfNeeded();
    const before = await demo.press('button[data-fault="stall"]');
    // Within the 5 s stall: the ping went unanswered, the socket is replaced.
    const row = await demo.until(
      "the resume column to detect the stall",
      (after) =>
        [...document.querySelectorAll("#col-resume .timeline li[data-kind=detected]")]
          .filter((li) => Number(li.dataset.seq) > after)
          .map((li) => li.textContent)[0],
      before,
      5000,
    );
    assert.match(row, /stall detected/);
    const r = await demo.resumeIntact(before, 10_000);
    assert.equal(r.firstGap, null, `no gap or duplicate in the resume column after the stall (${r.received} ticks)`);
    // The plain column did not notice: no close in its timeline.
    const kinds = await demo.page.evaluate(
      (after) => [...document.querySelectorAll("#col-redial .timeline li")].filter((li) => Number(li.dataset.seq) > after).map((li) => li.dataset.kind),
      before,
    );
    assert.ok(!kinds.includes("close"), `the plain RedialSocket saw no close during the stall: ${kinds}`);
  });

  test("server down 3 s: reconnects when it is back; a message sent meanwhile is delivered", async () => {
    await demo.freshIfNeeded();
    assert.equal(await demo.outcome('button[data-fault="restart"]'), "reconnect");
    const before = await demo.press('button[data-fault="restart"]');
    const d = await demo.decisionAfter(before, 5000);
    assert.equal(d.decision, "reconnect", d.text);
    assert.equal(d.code, 1006, d.text);
    // Send on the echo socket while it is down: queued, then flushed.
    await demo.until("the echo socket down", () => document.querySelector("#echo-state").dataset.state !== "open", undefined, 3000);
    const text = `sent while down ${Date.now()}`;
    await demo.page.fill("#send-text", text);
    await demo.page.click("#send-form button[type=submit]");
    const out = await demo.page.evaluate(() => [...document.querySelectorAll("#echo-log li[data-dir=out]")].at(-1).textContent);
    assert.ok(out.includes(text) && /queued while (reconnecting|connecting)/.test(out), `the send shows as queued: ${out}`);
    await demo.reopened(before, 25_000);
    const r = await demo.resumeIntact(before, 25_000);
    assert.equal(r.firstGap, null, `the resume column's session survived the 3 s outage (${r.received} ticks, no gap or duplicate)`);
    await demo.until(
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
    const rawMissed = await demo.counter("raw", "missed");
    const rawReconnects = await demo.counter("raw", "reconnects");
    const redialReconnects = await demo.counter("redial", "reconnects");
    assert.ok(rawMissed > 0, `raw WebSocket missed ticks: ${rawMissed}`);
    assert.equal(rawReconnects, 0, "a WebSocket never reconnects");
    assert.ok(redialReconnects > 0, `RedialSocket reconnects: ${redialReconnects}`);
    assert.ok((await demo.counter("resume", "reconnects")) > 0, "the resume column reconnected too");
    assert.equal(await demo.counter("resume", "missed"), 0, "and missed nothing");
    assert.equal(await demo.page.textContent('[data-testid="state-raw"]'), "closed");
    assert.equal(await demo.page.textContent('[data-testid="state-redial"]'), "open");
    assert.equal(await demo.page.textContent('[data-testid="state-resume"]'), "open");
    const faultErrors = await demo.page.evaluate(() => [...document.querySelectorAll(".timeline li[data-kind=fault-error]")].map((li) => li.textContent));
    assert.deepEqual(faultErrors, [], "every fault request succeeded");
    const width = await demo.page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 1280, `no horizontal scroll at 1280 px (scrollWidth ${width})`);
    assert.deepEqual(demo.errors.map(String), [], "no uncaught errors on the page");
  });

  test("docs/demo.png: fresh clients, two faults, the difference in plain sight", async () => {
    await demo.reset();
    await demo.page.fill("#send-text", "hello, redial");
    await demo.page.click("#send-form button[type=submit]");
    await demo.until("the echo", () =>
      [...document.querySelectorAll("#echo-log li[data-dir=in]")].some((li) => li.textContent.includes("hello, redial")), undefined, 5000);
    await demo.until("a couple of seconds of ticks", () =>
      Number(document.querySelector("#col-raw [data-counter=received]").textContent) >= 15, undefined, 5000);
    let before = await demo.press('button[data-fault="close"][data-code="1001"]');
    assert.equal((await demo.decisionAfter(before, 5000)).decision, "reconnect");
    await demo.reopened(before, 15_000);
    before = await demo.press('button[data-fault="cut"]');
    // A message sent while the echo socket is down shows as queued, then
    // delivered (if the socket is back already, it is simply echoed).
    await demo.until("the echo socket down", () => document.querySelector("#echo-state").dataset.state !== "open", undefined, 3000).catch(() => {});
    await demo.page.fill("#send-text", "sent during the cut");
    await demo.page.click("#send-form button[type=submit]");
    assert.equal((await demo.decisionAfter(before, 5000)).decision, "reconnect");
    await demo.reopened(before, 15_000);
    await demo.until("the echo delivered", () =>
      [...document.querySelectorAll("#echo-log li[data-dir=in]")].some((li) => li.textContent.includes("sent during the cut")), undefined, 15_000);
    // Let the gap grow: the raw socket misses 10 ticks a second from its close on.
    await demo.until("the raw column 100 ticks behind", () =>
      Number(document.querySelector("#col-raw [data-counter=missed]").textContent) >= 100, undefined, 15_000);
    await demo.page.evaluate(() => window.scrollTo(0, 0));
    await mkdir(path.dirname(screenshot), { recursive: true });
    await demo.page.screenshot({ path: screenshot });
    assert.ok((await stat(screenshot)).size > 20_000, `${path.relative(root, screenshot)} written`);
    await context.close();
  });

  test("a narrow phone (390 px): no horizontal scroll, two columns side by side, resume mode below", async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    try {
      const small = new DemoPage(await phone.newPage(), tmp);
      const p = small.page;
      await small.open(server.url);
      // Long timeline rows too: a cut, and the reconnect after it.
      await p.tap('button[data-fault="cut"]');
      await small.until("the redial column open again", () =>
        document.querySelector("#col-raw").dataset.state === "closed" &&
        document.querySelectorAll("#col-redial .timeline li[data-kind=open]").length >= 2, undefined, 15_000);
      const layout = await p.evaluate(() => {
        const r = (id) => document.querySelector(`#col-${id}`).getBoundingClientRect();
        return { scrollWidth: document.documentElement.scrollWidth, raw: r("raw").toJSON(), redial: r("redial").toJSON(), resume: r("resume").toJSON() };
      });
      assert.ok(layout.scrollWidth <= 390, `no horizontal scroll at 390 px (scrollWidth ${layout.scrollWidth})`);
      assert.equal(Math.round(layout.raw.top), Math.round(layout.redial.top), "the columns sit side by side");
      assert.ok(layout.redial.right <= 390, "the redial column fits");
      // Resume mode below them, the full width: its counters stay readable.
      assert.ok(layout.resume.top >= layout.raw.bottom && layout.resume.right <= 390 && layout.resume.width >= 300,
        `the resume column below, full width: ${JSON.stringify(layout.resume)}`);
      assert.deepEqual(small.errors.map(String), []);
    } finally {
      await phone.close();
    }
  });
});
