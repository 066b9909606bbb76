// The demo page says what really happens (issue 12, "Demo"): the echo panel
// after a final close and a Reset, each fault button's outcome, readable
// timelines, why the waits grow, and PORT in the startup line and the docs.
//
//   node --test test/demo/        (needs dist/: make wasm, or scripts/build-js.sh)
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { buildServer, DemoPage, launchBrowser, prepare, root, startServer } from "./harness.js";

let tmp;
let bin;
let server;
let browser;
let demo; // 1280×800

before(async () => {
  tmp = await prepare();
  [bin, browser] = await Promise.all([buildServer(tmp), launchBrowser()]);
  server = await startServer(bin);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  demo = new DemoPage(await context.newPage(), tmp);
  await demo.open(server.url);
});

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
});

/** The last echo row sent with this text: its note. */
const outNote = (text) =>
  demo.page.evaluate((text) => [...document.querySelectorAll("#echo-log li[data-dir=out]")].filter((li) => li.textContent.includes(text)).at(-1)?.querySelector(".note").textContent, text);

async function send(text) {
  await demo.page.fill("#send-text", text);
  await demo.page.click("#send-form button[type=submit]");
}

const echoLine = () => demo.page.evaluate(() => ({ state: document.querySelector("#echo-state").dataset.state, line: document.querySelector("#echo-queued").textContent }));

describe("the demo page says what really happens", { timeout: 120_000 }, () => {
  test("echo: a send after a final close is not 'queued'; Reset shows the new socket", async () => {
    await demo.reset();
    await demo.press('button[data-fault="close"][data-code="4500"]');
    await demo.until("the echo socket closed for good", () => document.querySelector("#echo-state").dataset.state === "closed", undefined, 5000);
    await send("after the final close");
    const note = await outNote("after the final close");
    assert.match(note, /not sent: closed for good/, "a send on a closed socket is dropped, and says so");
    let now = await echoLine();
    assert.doesNotMatch(now.line, /queued/, `the status line after a final close: ${now.line}`);
    assert.match(now.line, /closed for good: close 4500/);

    await demo.reset();
    now = await echoLine();
    assert.deepEqual(now, { state: "open", line: "" }, "the new socket's state, nothing queued");
    await send("after the reset");
    await demo.until("the new socket echoes", () =>
      [...document.querySelectorAll("#echo-log li[data-dir=in]")].some((li) => li.textContent.includes("after the reset")), undefined, 5000);
    assert.match(await outNote("after the final close"), /not sent/, "the old row keeps what happened to it");
  });

  test("echo: a message queued on a socket that Reset replaces is marked dropped", async () => {
    await demo.press('button[data-fault="restart"]'); // down 3 s: the echo socket reconnects
    await demo.until("the echo socket down", () => document.querySelector("#echo-state").dataset.state !== "open", undefined, 3000);
    await send("queued, then reset");
    assert.match(await outNote("queued, then reset"), /queued while (reconnecting|connecting)/);
    await demo.reset();
    assert.match(await outNote("queued, then reset"), /dropped: Reset closed that socket/);
    assert.deepEqual(await echoLine(), { state: "open", line: "" });
  });

  test("every fault button says what RedialSocket does; the lede promises no more", async () => {
    const buttons = await demo.page.evaluate(() =>
      [...document.querySelectorAll("button[data-fault]")].map((b) => ({ label: b.dataset.label, outcome: b.dataset.outcome, text: b.querySelector(".outcome")?.textContent ?? "" })),
    );
    assert.equal(buttons.length, 14);
    const words = { reconnect: /^(reconnects|after ≥ 5 s)$/, final: /^final$/, undetected: /^not detected$/ };
    for (const b of buttons) {
      assert.ok(words[b.outcome], `${b.label}: data-outcome ${b.outcome}`);
      assert.match(b.text, words[b.outcome], `${b.label}: the visible outcome`);
    }
    const by = (o) => buttons.filter((b) => b.outcome === o).map((b) => b.label);
    assert.deepEqual(by("final"), ["server closes with 1008 “token expired”", "server closes with 4500 “banned”"]);
    assert.deepEqual(by("undetected"), ["stall 5 s: TCP up, nothing moves"]);
    const lede = await demo.page.textContent(".lede");
    assert.doesNotMatch(lede, /comes back on its own/);
    for (const w of ["1008", "4500", "stall", "resume mode"]) assert.ok(lede.includes(w), `the lede names ${w}: ${lede}`);
  });

  test("after a fault too soon after the last, the reconnecting line says why the waits grow", async () => {
    await demo.reset();
    // Every text the headline shows, however briefly.
    await demo.page.evaluate(() => {
      window.headlines = [];
      const h = document.querySelector('[data-testid="headline-redial"]');
      new MutationObserver(() => window.headlines.push(h.textContent)).observe(h, { childList: true, subtree: true, characterData: true });
    });
    let before = await demo.press('button[data-fault="cut"]');
    await demo.reopened(before, 10_000); // attempt 1
    before = await demo.press('button[data-fault="restart"]'); // the connection lasted < 5 s
    const line = await demo.until(
      "the reconnecting line at attempt ≥ 2",
      () => {
        const el = document.querySelector("#col-redial");
        const t = el.querySelector(".headline").textContent;
        return el.dataset.state === "reconnecting" && Number(el.dataset.attempt) >= 2 && t;
      },
      undefined,
      8000,
    );
    assert.match(line, /^attempt [2-9]( in \d+(\.\d)? s|…) · waits grow until a connection lasts 5 s$/);
    const carried = await demo.until(
      "the row saying why the attempt is not 1",
      (before) => [...document.querySelectorAll("#col-redial .timeline li[data-carried=true]")].find((li) => Number(li.dataset.seq) > before)?.textContent,
      before,
      3000,
    );
    assert.match(carried, /attempt 2, not 1: the last connection lasted \d+(\.\d)? s \(< 5 s\)/);
    await demo.reopened(before, 25_000);
    const first = (await demo.page.evaluate(() => window.headlines)).filter((t) => /^attempt 1\b/.test(t));
    assert.ok(first.length > 0 && first.every((t) => !t.includes("waits grow")), `attempt 1 has no excuse to make: ${first}`);
  });

  test("timelines: a visible scrollbar, whole rows, the newest in view unless the user scrolled up", async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    try {
      const small = new DemoPage(await phone.newPage(), tmp);
      await small.open(server.url);
      for (const d of [demo, small]) await checkTimelines(d);
    } finally {
      await phone.close();
    }
  });

  test("PORT: the startup line names it and -addr; docs/demo.md shows that line", async () => {
    const port = await freePort();
    const s = await startServer(bin, { args: [], env: { PORT: String(port) } });
    try {
      assert.equal(s.line, `redial demo: http://127.0.0.1:${port}/ (PORT or -addr to change; Ctrl-C to stop)`);
      const r = await fetch(`${s.url}api/state`, { method: "POST" });
      assert.equal(r.status, 200);
      await r.body?.cancel();
    } finally {
      await s.stop();
    }
    const doc = await readFile(path.join(root, "docs/demo.md"), "utf8");
    assert.ok(doc.includes("redial demo: http://127.0.0.1:8080/ (PORT or -addr to change; Ctrl-C to stop)"), "docs/demo.md quotes the startup line");
    assert.match(doc, /PORT=\d+ make demo/, "docs/demo.md says how to pick the port");
  });
});

/** Fills both timelines past their height with real fault rows, then checks them. */
async function checkTimelines(d) {
  const fault = 'button[data-fault="close"][data-code="1000"]';
  const fill = async (n) => {
    for (let i = 0; i < n; i++) await d.press(fault);
  };
  await fill(12);
  for (const id of ["raw", "redial"]) {
    const g = await geometry(d, id);
    assert.ok(g.overflows, `${id}: the timeline overflows after 12 faults (${JSON.stringify(g)})`);
    assert.ok(g.gutter >= 6, `${id}: a scrollbar that takes room, not an overlay that hides (${g.gutter} px)`);
    assert.ok(g.newestInView, `${id}: the newest row in view`);
    assert.deepEqual(g.cut, [], `${id}: no row cut at the edges`);
  }
  // The user scrolls up to read: new rows do not pull the view away.
  const list = '[data-testid="timeline-redial"]';
  await d.page.hover(list);
  await d.page.mouse.wheel(0, -5000);
  await d.until("the redial timeline unpinned", (s) => document.querySelector(s).dataset.pinned === "false", list, 2000);
  const top = await d.page.evaluate((s) => document.querySelector(s).scrollTop, list);
  await fill(2);
  let g = await geometry(d, "redial");
  assert.equal(g.scrollTop, top, "the view stays where the user scrolled");
  assert.ok(!g.newestInView);
  // Back at the bottom, it follows again.
  await d.page.hover(list);
  await d.page.mouse.wheel(0, 50_000);
  await d.until("the redial timeline pinned", (s) => document.querySelector(s).dataset.pinned === "true", list, 2000);
  await fill(1);
  g = await geometry(d, "redial");
  assert.ok(g.newestInView, "following the newest again");
  assert.deepEqual(g.cut, []);
}

function geometry(d, id) {
  return d.page.evaluate((id) => {
    const ol = document.querySelector(`[data-testid="timeline-${id}"]`);
    const cs = getComputedStyle(ol);
    const r = ol.getBoundingClientRect();
    const top = r.top + parseFloat(cs.borderTopWidth);
    const bottom = top + ol.clientHeight;
    const rows = [...ol.children];
    const newest = rows.reduce((a, b) => (Number(b.dataset.seq) > Number(a.dataset.seq) ? b : a));
    const nr = newest.getBoundingClientRect();
    const cut = rows
      .map((li) => li.getBoundingClientRect())
      .filter((b) => b.bottom > top + 1 && b.top < bottom - 1) // visible at all
      .filter((b) => b.top < top - 1 || b.bottom > bottom + 1) // but not whole
      .map((b) => `${Math.round(b.top - top)}..${Math.round(b.bottom - top)} of ${Math.round(bottom - top)}`);
    return {
      overflows: ol.scrollHeight > ol.clientHeight,
      gutter: ol.offsetWidth - ol.clientWidth - parseFloat(cs.borderLeftWidth) - parseFloat(cs.borderRightWidth),
      newestInView: nr.top >= top - 1 && nr.bottom <= bottom + 1,
      scrollTop: ol.scrollTop,
      cut,
    };
  }, id);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
