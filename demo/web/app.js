// The redial demo page: the browser's own WebSocket, a RedialSocket and a
// RedialSocket({resume: true}) on the same ticker, under the same real faults (the demo server does them), so the
// difference is seen, not told. See demo/server/main.go for the control API.
//
// DOM contract used by test/demo/demo.test.js:
//   body[data-ready]                         "true" once redial.wasm is loaded, "error" if not
//   #col-raw, #col-redial, #col-resume       [data-state] connecting|open|reconnecting|closed,
//                                            [data-attempt], [data-silent] "true" while open but quiet
//   [data-counter=received|missed|reconnects|last] inside a column
//   button[data-fault]                       [data-outcome] reconnect|final|undetected: what RedialSocket does
//                                            (resume mode detects a stall: the Stall button says so too)
//   window.redialTicks                       {raw, redial, resume}: every tick each column received, in order
//   .timeline li                             oldest first; [data-seq] (increasing), [data-kind] fault|open|close|
//                                            failed|silence|detected|info|hint|fault-error, [data-decision] reconnect|final,
//                                            [data-delay-ms] the wait the policy chose,
//                                            [data-carried] "true" on the row saying why an attempt is not 1
//   .timeline, .log                          [data-pinned] "true" while following the newest row
//   #hs-verdict                              [data-verified] "true" | "false"
//   #echo-state                              [data-state] of the current echo RedialSocket
//   #echo-queued                             its queued bytes, or why it is closed for good
//   #echo-log li                             oldest first; [data-dir] in|out|info, .note[data-tone] ok|bad
import { load } from "/dist/index.js";

import { Column, rawSocket, redialSocket, resumeSocket } from "./columns.js";
import { $, api, pollClock, secs } from "./common.js";
import { openEcho, showEcho } from "./echo.js";
import { resetHandshake } from "./handshake.js";

// The RedialSocket-side clients (the raw column never reconnects).
const RECONNECTING_CLIENTS = ["redial", "resume", "echo"];

// Each fault applies to every client. A refusal only affects the next
// upgrade, so the buttons cut the connections first: the refusal meets
// the reconnect (per client, so each one meets `count` of them).
async function applyFault(d) {
  switch (d.fault) {
    case "close":
      return api("close", { code: d.code, reason: d.reason ?? "" });
    case "cut":
      return api("cut");
    case "stall":
      return api("stall", { ms: d.ms });
    case "restart":
      return api("restart", { down: d.down });
    case "refuse": {
      const p = { status: d.status, count: d.count ?? 1 };
      if (d.retryAfter) p.retryAfter = d.retryAfter;
      await Promise.all(RECONNECTING_CLIENTS.map((client) => api("refuse", { ...p, client })));
      return api("cut");
    }
  }
  throw new Error(`unknown fault ${d.fault}`);
}

for (const b of document.querySelectorAll("button[data-fault]")) {
  b.addEventListener("click", async () => {
    const d = b.dataset;
    $(".faults").classList.remove("idle");
    b.classList.add("flash");
    setTimeout(() => b.classList.remove("flash"), 400);
    for (const col of Object.values(columns)) col.log("fault", `fault: ${b.dataset.label}`);
    try {
      await applyFault(d);
    } catch (err) {
      for (const col of Object.values(columns)) col.log("fault-error", `the fault failed: ${err.message}`);
    }
  });
}

$("#reset").addEventListener("click", async () => {
  resetHandshake(); // and drop handshake answers still on their way
  try {
    await api("heal");
  } catch {
    /* reset the clients anyway */
  }
  for (const col of Object.values(columns)) col.start();
  openEcho();
});

const columns = {};
try {
  const started = performance.now();
  await load({ wasmURL: "/dist/redial.wasm" });
  $("#load-status").textContent = `redial.wasm loaded in ${secs(performance.now() - started)}`;
  // A fresh page is a fresh demo: lift faults a previous page left pending.
  await api("heal").catch(() => {});
  await pollClock();
  setInterval(pollClock, 1000);
  columns.raw = new Column("raw", rawSocket);
  columns.redial = new Column("redial", redialSocket);
  columns.resume = new Column("resume", resumeSocket);
  for (const col of Object.values(columns)) col.start();
  openEcho();
  setInterval(() => {
    for (const col of Object.values(columns)) col.render();
    showEcho(); // bufferedAmount drains with no event to say so
  }, 200);
  document.body.dataset.ready = "true";
} catch (err) {
  $("#load-status").textContent = `could not start: ${err.message}`;
  $("#load-error").hidden = false;
  $("#load-error").textContent = `Could not start redial: ${err.message}. Build it with \`make demo\` (it runs scripts/build-js.sh).`;
  document.body.dataset.ready = "error";
}
