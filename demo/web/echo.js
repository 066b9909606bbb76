// The echo panel: a RedialSocket on /ws/echo and the send form.
import { RedialSocket } from "/dist/index.js";

import { $, closeText, OPTIONS, since, whyFinal, wsBase } from "./common.js";
import { follow } from "./scrollbox.js";

// The echo panel: a RedialSocket on /ws/echo. What is sent while it is
// down is queued and delivered, in order, after the reconnect. The status
// line always shows the current socket: Reset replaces it, and what the old
// one still held is marked dropped, not left "queued" for ever.
let echo = null; // { ws, final, waiting: [{ li, text }] }
const repin = follow($("#echo-log"));

export function openEcho() {
  if (echo) {
    const old = echo;
    echo = null;
    dropWaiting(old, "dropped: Reset closed that socket");
    try {
      old.ws.close();
    } catch {
      /* closed */
    }
    logEcho("info", "Reset: a new RedialSocket");
    repin();
  }
  const ws = new RedialSocket(`${wsBase}/ws/echo?client=echo`, [], OPTIONS);
  const me = { ws, final: "", waiting: [] };
  echo = me;
  const mine = (fn) => (e) => echo === me && fn(e);
  ws.addEventListener("statechange", mine(showEcho));
  ws.addEventListener("open", mine(showEcho));
  ws.addEventListener("message", mine((e) => {
    // The server echoes in order: the oldest message still waiting is this one.
    const i = me.waiting.findIndex((w) => w.text === e.data);
    if (i >= 0) {
      const [w] = me.waiting.splice(i, 1);
      if (w.queued) note(w.li, "delivered after the reconnect", "ok");
    }
    logEcho("in", e.data);
    showEcho();
  }));
  ws.addEventListener("close", mine((e) => {
    if (e.willReconnect) return;
    me.final = `closed for good: ${closeText(e)} (${whyFinal(e.code)}). Press Reset`;
    dropWaiting(me, "dropped: closed for good");
    showEcho();
  }));
  showEcho();
}

/** The status line: the current socket's state and queue, or why it is closed. */
export function showEcho() {
  if (!echo) return;
  const { ws } = echo;
  const st = $("#echo-state");
  if (st.dataset.state !== ws.state) {
    st.textContent = ws.state;
    st.dataset.state = ws.state;
  }
  // On a closed socket bufferedAmount counts what send() dropped (as a
  // WebSocket does): not a queue.
  const q = ws.bufferedAmount;
  let text = "";
  let tone = "warn";
  if (ws.state === "closed") {
    text = echo.final || "closed";
    tone = "bad";
  } else if (q > 0) {
    text = `${q} B queued`;
  }
  const line = $("#echo-queued");
  if (line.textContent !== text) line.textContent = text;
  line.dataset.tone = tone;
}

function dropWaiting(e, why) {
  for (const w of e.waiting) note(w.li, why, "bad");
  e.waiting = [];
}

function note(li, text, tone) {
  const n = li.querySelector(".note");
  n.textContent = text;
  n.dataset.tone = tone;
}

function logEcho(dir, text, noteText = "") {
  const li = document.createElement("li");
  li.dataset.dir = dir;
  li.innerHTML = `<time></time><span class="arrow"></span><span class="msg"></span><span class="note"></span>`;
  li.children[0].textContent = since();
  li.children[1].textContent = { out: "→", in: "←" }[dir] ?? "·";
  li.children[2].textContent = text;
  li.children[3].textContent = noteText;
  const ol = $("#echo-log");
  ol.append(li); // oldest first, the newest in view (scrollbox.js)
  while (ol.children.length > 100) ol.firstChild.remove();
  return li;
}

$("#send-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const input = $("#send-text");
  if (!input.value || !echo) return;
  const text = input.value;
  input.value = "";
  const state = echo.ws.state;
  if (state === "closed") {
    // send() would drop it (as WebSocket does, counting it in bufferedAmount).
    note(logEcho("out", text), "not sent: closed for good, press Reset", "bad");
    return;
  }
  try {
    echo.ws.send(text);
  } catch (err) {
    note(logEcho("out", text), `not sent: ${err.message}`, "bad");
    return;
  }
  const queued = state !== "open";
  const li = logEcho("out", text, queued ? `queued while ${state}` : "");
  echo.waiting.push({ li, text, queued });
  showEcho();
});
