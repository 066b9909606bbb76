// The demo page: a raw WebSocket and a RedialSocket on the same ticker,
// under the same real faults, so the difference is seen, not told.
import { load, RedialSocket } from "/dist/index.js";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const wsBase = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}`;
const t0 = performance.now();
const $ = (sel, root = document) => root.querySelector(sel);
const since = () => ((performance.now() - t0) / 1000).toFixed(1) + "s";

// The highest tick any column has seen: the reference for "missed".
let latestTick = 0;
const columns = {};

function api(path, params = {}) {
  const q = new URLSearchParams(params);
  return fetch(`/api/${path}?${q}`, { method: "POST" }).then((r) => {
    if (!r.ok) throw new Error(`/api/${path}: HTTP ${r.status}`);
    return r.json().catch(() => ({}));
  });
}

function describeCode(code) {
  const names = { 1000: "normal closure", 1001: "going away", 1005: "no status", 1006: "abnormal closure (no close frame)",
    1008: "policy violation", 1011: "internal error", 1012: "service restart", 1013: "try again later" };
  return names[code] ? `${code} ${names[code]}` : String(code);
}

// A column: counters + timeline for one client on /ws/ticker.
class Column {
  constructor(id, make) {
    this.id = id;
    this.el = $(`#col-${id}`);
    this.make = make;
    this.reset();
  }
  reset() {
    this.counters = { received: 0, missed: 0, reconnects: 0, last: null, first: null };
    this.opens = 0;
    if (this.ws) this.detach();
    this.ws = this.make(`${wsBase}/ws/ticker?client=${this.id}`, this);
    this.render();
  }
  detach() {
    const ws = this.ws;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try { ws.close(); } catch { /* already closed */ }
  }
  setState(state) {
    const s = $(".state", this.el);
    s.textContent = state;
    s.dataset.state = state;
  }
  onTick(n) {
    const c = this.counters;
    c.received++;
    if (c.first === null) c.first = n;
    c.last = n;
    latestTick = Math.max(latestTick, n);
    this.render();
  }
  render() {
    const c = this.counters;
    // Every tick from the first one seen up to the latest any column saw,
    // that this column did not receive.
    c.missed = c.first === null ? 0 : Math.max(0, latestTick - c.first + 1 - c.received);
    for (const k of ["received", "missed", "reconnects", "last"]) {
      const dd = $(`[data-counter="${k}"]`, this.el);
      dd.textContent = c[k] ?? "–";
      if (k === "missed") dd.classList.toggle("bad", c.missed > 0);
    }
  }
  log(kind, what, decision = "", attrs = {}) {
    const li = document.createElement("li");
    li.dataset.kind = kind;
    if (decision) li.dataset.decision = decision.startsWith("final") ? "final" : "reconnect";
    for (const [k, v] of Object.entries(attrs)) li.dataset[k] = v;
    li.innerHTML = `<span class="t"></span><span class="what"></span><span class="decision"></span>`;
    li.children[0].textContent = since();
    li.children[1].textContent = what;
    li.children[2].textContent = decision;
    const ol = $(".timeline", this.el);
    ol.prepend(li);
    while (ol.children.length > 200) ol.lastChild.remove();
  }
}

function rawSocket(url, col) {
  const ws = new WebSocket(url);
  col.setState("connecting");
  ws.onopen = () => { col.setState("open"); col.log("open", "open"); };
  ws.onmessage = (e) => col.onTick(JSON.parse(e.data).tick);
  ws.onerror = () => col.log("error", "error event (the browser says no more)");
  ws.onclose = (e) => {
    col.setState("closed");
    col.log("close", `close ${describeCode(e.code)}${e.reason ? ` “${e.reason}”` : ""}`, "final: no reconnection", { code: e.code });
  };
  return ws;
}

function redialSocket(url, col) {
  const ws = new RedialSocket(url, [], { heartbeatMs: 5000 });
  col.setState(ws.state);
  ws.addEventListener("statechange", (e) => col.setState(e.state));
  ws.onopen = () => {
    if (col.opens++ > 0) col.counters.reconnects++;
    col.log("open", ws.attempt > 0 ? `open again (after attempt ${ws.attempt})` : "open");
    col.render();
    if (col.id === "redial") showHandshake();
  };
  ws.onmessage = (e) => col.onTick(JSON.parse(e.data).tick);
  ws.onerror = (e) => col.log("error", e.message || "error");
  ws.onclose = (e) => col.log("close", `close ${describeCode(e.code)}${e.reason ? ` “${e.reason}”` : ""}`,
    e.willReconnect ? "policy: reconnect" : "final: policy says stop", { code: e.code });
  ws.addEventListener("reconnecting", (e) => col.log("reconnecting",
    `attempt ${e.attempt} after ${describeCode(e.code)}`, `reconnect in ${(e.delayMs / 1000).toFixed(2)} s`,
    { code: e.code, delay: e.delayMs }));
  return ws;
}

async function sha1Base64(s) {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(s));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

async function showHandshake() {
  const verdict = $("#hs-verdict");
  try {
    const h = await api("handshake", { client: "redial" });
    $("#hs-request").textContent = `${h.method} ${h.path ?? "/ws/ticker"} · Upgrade: ${h.upgrade} · Connection: ${h.connection} · Sec-WebSocket-Version: ${h.version}`;
    $("#hs-key").textContent = h.key;
    $("#hs-accept").textContent = h.accept;
    const computed = await sha1Base64(h.key + GUID);
    $("#hs-computed").textContent = computed;
    const ok = computed === h.accept;
    verdict.textContent = ok ? "✓ verified: the server proved it read this key" : "✗ accept does not match";
    verdict.className = `verdict ${ok ? "ok" : "bad"}`;
    verdict.dataset.verified = String(ok);
  } catch (err) {
    verdict.textContent = `could not read the handshake: ${err.message}`;
    verdict.className = "verdict bad";
  }
}

// The echo panel: a RedialSocket on /ws/echo with a send box.
let echo;
function openEcho() {
  if (echo) { echo.onclose = null; try { echo.close(); } catch { /* closed */ } }
  echo = new RedialSocket(`${wsBase}/ws/echo?client=echo`, [], { heartbeatMs: 5000 });
  const st = $('[data-testid="state-echo"]');
  const show = () => { st.textContent = `${echo.state} · queued ${echo.bufferedAmount} B`; st.dataset.state = echo.state; };
  echo.addEventListener("statechange", show);
  echo.onmessage = (e) => logEcho("in", e.data);
  show();
}
function logEcho(dir, text) {
  const li = document.createElement("li");
  li.innerHTML = `<span class="t"></span><span></span>`;
  li.children[0].textContent = since();
  li.children[1].textContent = (dir === "out" ? "→ " : "← ") + text;
  li.children[1].className = `dir-${dir}`;
  $("#echo-log").prepend(li);
}

$("#send-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const input = $("#send-text");
  if (!input.value) return;
  try {
    echo.send(input.value);
    logEcho("out", `${input.value}${echo.state === "open" ? "" : "  (queued: " + echo.state + ")"}`);
  } catch (err) {
    logEcho("out", `not sent: ${err.message}`);
  }
  input.value = "";
});

for (const b of document.querySelectorAll("button[data-fault]")) {
  b.addEventListener("click", async () => {
    const d = b.dataset;
    const params = {};
    if (d.code) Object.assign(params, { code: d.code, reason: d.reason ?? "" });
    if (d.ms) params.ms = d.ms;
    if (d.down) params.down = d.down;
    if (d.status) Object.assign(params, { status: d.status, count: d.count ?? 1 });
    if (d.retryAfter) params.retryAfter = d.retryAfter;
    b.classList.add("flash");
    setTimeout(() => b.classList.remove("flash"), 300);
    for (const col of Object.values(columns)) col.log("fault", `fault: ${b.title || b.textContent} (${d.fault} ${d.code ?? d.status ?? ""})`.trim());
    try { await api(d.fault, params); } catch (err) { alert(err.message); }
  });
}

$("#reset").addEventListener("click", () => {
  latestTick = 0;
  for (const col of Object.values(columns)) col.reset();
  openEcho();
});

try {
  await load({ wasmURL: "/dist/redial.wasm" });
  $("#load-status").textContent = "redial.wasm loaded";
  columns.raw = new Column("raw", rawSocket);
  columns.redial = new Column("redial", redialSocket);
  openEcho();
  document.body.dataset.ready = "true";
} catch (err) {
  $("#load-status").textContent = `could not start: ${err.message}`;
  document.body.dataset.ready = "error";
}
