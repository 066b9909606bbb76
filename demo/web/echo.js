// The echo panel: a RedialSocket on /ws/echo and the send form.
import { RedialSocket } from "/dist/index.js";

import { $, OPTIONS, since, wsBase } from "./common.js";

// The echo panel: a RedialSocket on /ws/echo. What is sent while it is
// down is queued and delivered, in order, after the reconnect.
let echo;
export function openEcho() {
  if (echo) {
    const old = echo;
    echo = null;
    try {
      old.close();
    } catch {
      /* closed */
    }
  }
  const ws = new RedialSocket(`${wsBase}/ws/echo?client=echo`, [], OPTIONS);
  echo = ws;
  const show = () => {
    if (echo !== ws) return;
    const st = $("#echo-state");
    st.textContent = ws.state;
    st.dataset.state = ws.state;
    const q = ws.bufferedAmount;
    $("#echo-queued").textContent = q > 0 ? `${q} B queued` : "";
  };
  ws.addEventListener("statechange", show);
  ws.addEventListener("open", show);
  ws.addEventListener("message", (e) => {
    if (echo !== ws) return;
    logEcho("in", e.data);
    show();
  });
  show();
}
function logEcho(dir, text, note = "") {
  const li = document.createElement("li");
  li.dataset.dir = dir;
  li.innerHTML = `<time></time><span class="arrow"></span><span class="msg"></span><span class="note"></span>`;
  li.children[0].textContent = since();
  li.children[1].textContent = dir === "out" ? "→" : "←";
  li.children[2].textContent = text;
  li.children[3].textContent = note;
  const ol = $("#echo-log");
  ol.prepend(li);
  while (ol.children.length > 100) ol.lastChild.remove();
}

$("#send-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const input = $("#send-text");
  if (!input.value || !echo) return;
  try {
    const state = echo.state;
    echo.send(input.value);
    logEcho("out", input.value, state === "open" ? "" : `queued while ${state}`);
    $("#echo-queued").textContent = echo.bufferedAmount > 0 ? `${echo.bufferedAmount} B queued` : "";
  } catch (err) {
    logEcho("out", input.value, `not sent: ${err.message}`);
  }
  input.value = "";
});
