// The redial demo page: the browser's own WebSocket and a RedialSocket on the
// same ticker, under the same real faults (the demo server does them), so the
// difference is seen, not told. See demo/server/main.go for the control API.
//
// DOM contract used by test/demo/demo.test.js:
//   body[data-ready]                         "true" once redial.wasm is loaded, "error" if not
//   #col-raw, #col-redial                    [data-state] connecting|open|reconnecting|closed,
//                                            [data-attempt], [data-silent] "true" while open but quiet
//   [data-counter=received|missed|reconnects|last] inside a column
//   .timeline li                             [data-seq] (increasing), [data-kind] fault|open|close|
//                                            failed|silence|info|hint|fault-error, [data-decision] reconnect|final,
//                                            [data-delay-ms] the wait the policy chose
//   #hs-verdict                              [data-verified] "true" | "false"
//   #echo-state                              [data-state] of the echo RedialSocket
//   #echo-log li                             [data-dir] in|out
import { load, RedialSocket } from "/dist/index.js";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
// The RedialSocket options this page uses. maxDelayMs caps the backoff at
// 8 s instead of the default 30 s so nobody waits long in a demo; every
// other rule is the default policy.
const OPTIONS = { heartbeatMs: 5000, maxDelayMs: 8000 };
const wsBase = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}`;
const t0 = performance.now();
const $ = (sel, root = document) => root.querySelector(sel);
const secs = (ms) => `${(ms / 1000).toFixed(ms < 10000 ? 1 : 0)} s`;
const wait = (ms) => (ms < 1000 ? `${Math.round(ms)} ms` : secs(ms));
const since = () => ((performance.now() - t0) / 1000).toFixed(1);
let seq = 0;

const CODE_NAMES = {
  1000: "normal closure", 1001: "going away", 1005: "no status", 1006: "abnormal closure, no close frame",
  1008: "policy violation", 1011: "internal error", 1012: "service restart", 1013: "try again later",
};
function describeCode(code) {
  if (CODE_NAMES[code]) return `${code} ${CODE_NAMES[code]}`;
  if (code >= 4000 && code <= 4499) return `${code} app code, retryable range`;
  if (code >= 4500 && code <= 4999) return `${code} app code, final range`;
  return String(code);
}
// Why the default policy made a close final, in a few words.
function whyFinal(code) {
  if (code >= 4500 && code <= 4999) return "4500–4999 are final by policy";
  if (code >= 3500 && code <= 3999) return "3500–3999 are final by policy";
  if ([1002, 1003, 1007, 1008, 1009, 1010].includes(code)) return `${code} is final by policy`;
  return "the policy said stop";
}
const closeText = (e) => `close ${describeCode(e.code)}${e.reason ? ` “${e.reason}”` : ""}`;

function api(path, params = {}) {
  const q = new URLSearchParams(params);
  return fetch(`/api/${path}?${q}`, { method: "POST", cache: "no-store" }).then(async (r) => {
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(`/api/${path}: ${body.error ?? `HTTP ${r.status}`}`);
    return body;
  });
}

// The server's tick clock, polled from /api/state, so "missed" keeps
// counting while every socket is down. refTick() is the latest tick the
// server has sent by now, as well as this page can tell.
const clock = { tick: 0, at: 0, tickMs: 100 };
let latestSeen = 0;
function refTick() {
  const est = clock.at ? clock.tick + Math.floor((performance.now() - clock.at) / clock.tickMs) - 1 : 0;
  return Math.max(latestSeen, est);
}
async function pollClock() {
  try {
    const st = await api("state");
    clock.tick = st.tick;
    clock.tickMs = st.tickMs || 100;
    clock.at = performance.now();
  } catch {
    /* the next poll will tell */
  }
}

// The first timeline row of each column: what to expect.
const HINTS = {
  raw: "A WebSocket fires close once and is done: reconnecting, backoff and re-sending are left to your code.",
  redial: "The same API. On every close the policy decides: reconnect after a jittered backoff (1 s, 2 s, 4 s… capped), " +
    "or stop for codes that would fail again (1008, 4500–4999). Sends are queued while it is down.",
};

// A column: one client on /ws/ticker, its counters, headline and timeline.
class Column {
  constructor(id, make) {
    this.id = id;
    this.el = $(`#col-${id}`);
    this.make = make;
    this.ws = null;
  }
  start() {
    this.c = { received: 0, gaps: 0, reconnects: 0, last: null, lastAt: 0 };
    this.opens = 0;
    this.downSince = 0;
    this.retryAt = 0;
    this.pending = null; // the close/failed row waiting for the policy's decision
    this.headline = "";
    this.final = null;
    $(".timeline", this.el).replaceChildren();
    this.log("hint", HINTS[this.id]);
    if (this.ws) this.detach();
    this.ws = this.make(`${wsBase}/ws/ticker?client=${this.id}`, this);
    this.render();
  }
  detach() {
    const ws = this.ws;
    this.ws = null;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try {
      ws.close();
    } catch {
      /* already closed */
    }
  }
  setState(state) {
    this.el.dataset.state = state;
    const pill = $(".state", this.el);
    pill.textContent = state;
    pill.dataset.state = state;
    if (state !== "open" && !this.downSince) this.downSince = performance.now();
    this.render();
  }
  opened(attempt) {
    const down = this.downSince ? performance.now() - this.downSince : 0;
    this.downSince = 0;
    this.retryAt = 0;
    this.c.lastAt = performance.now();
    if (this.opens++ > 0) {
      this.c.reconnects++;
      this.log("open", `open again after ${secs(down)} down${attempt ? ` · attempt ${attempt}` : ""}`);
    } else {
      this.log("open", "open");
    }
  }
  onTick(n) {
    const c = this.c;
    const now = performance.now();
    if (c.last !== null && n > c.last + 1) c.gaps += n - c.last - 1;
    // Ticks came back after a silence on a socket that never closed: a
    // half-open connection (the Stall fault) neither socket could see.
    if (c.last !== null && this.el.dataset.state === "open" && now - c.lastAt > 1500 && this.opens > 0 && c.lastAt) {
      const lost = n - c.last - 1;
      this.log("silence", `ticks resumed after ${secs(now - c.lastAt)} of silence: ${lost} lost, and the socket stayed OPEN throughout`,
        "not detected");
    }
    c.received++;
    c.last = n;
    c.lastAt = now;
    latestSeen = Math.max(latestSeen, n);
  }
  missed() {
    const c = this.c;
    if (c.last === null) return 0;
    // Ticks skipped between two received ones, plus the ones sent since the
    // last received (once it is clearly behind: ≥ 3 ticks, 300 ms).
    const behind = refTick() - c.last;
    return c.gaps + (behind >= 3 ? behind : 0);
  }
  render() {
    const c = this.c;
    if (!c) return;
    const missed = this.missed();
    const set = (k, v) => {
      const dd = $(`[data-counter="${k}"]`, this.el);
      if (dd.textContent !== String(v)) dd.textContent = v;
      return dd;
    };
    set("received", c.received);
    // Red while the column is down for good, amber once it recovered.
    const dd = set("missed", missed);
    dd.dataset.tone = missed === 0 ? "" : this.el.dataset.state === "closed" ? "bad" : "warn";
    set("reconnects", c.reconnects);
    set("last", c.last ?? "–");
    const state = this.el.dataset.state;
    const now = performance.now();
    const silent = state === "open" && c.lastAt > 0 && now - c.lastAt > 1000;
    this.el.dataset.silent = String(silent);
    let text = this.headline;
    let tone = "";
    if (state === "closed") {
      text = this.final ?? "closed";
      tone = "bad";
    } else if (silent) {
      text = `no tick for ${secs(now - c.lastAt)}, still OPEN: half-open, a browser can't tell`;
      tone = "warn";
    } else if (state === "reconnecting") {
      text = this.retryAt > now ? `reconnecting: attempt ${this.ws?.attempt ?? ""} in ${secs(this.retryAt - now)}` : `reconnecting: attempt ${this.ws?.attempt ?? ""}…`;
      tone = "warn";
    } else if (state === "open") {
      text = c.reconnects > 0 ? `receiving ticks · came back ${c.reconnects}×` : "receiving ticks";
      tone = "ok";
    } else if (state === "connecting") {
      text = "connecting…";
    }
    const h = $(".headline", this.el);
    if (h.textContent !== text) {
      h.textContent = text;
      h.title = text;
    }
    h.dataset.tone = tone;
    this.el.dataset.attempt = String(this.ws?.attempt ?? 0);
  }
  log(kind, what, decision = "", attrs = {}) {
    const li = document.createElement("li");
    li.dataset.seq = String(++seq);
    li.dataset.kind = kind;
    for (const [k, v] of Object.entries(attrs)) li.dataset[k] = v;
    li.innerHTML = `<time></time><span class="what"></span><span class="decision"></span>`;
    li.children[0].textContent = since();
    li.children[1].textContent = what;
    li.children[2].textContent = decision;
    const ol = $(".timeline", this.el);
    ol.prepend(li);
    while (ol.children.length > 200) ol.lastChild.remove();
    return li;
  }
}

function decide(li, decision, text, delayMs) {
  li.dataset.decision = decision;
  if (delayMs !== undefined) li.dataset.delayMs = String(Math.round(delayMs));
  li.querySelector(".decision").textContent = text;
}

function rawSocket(url, col) {
  const ws = new WebSocket(url);
  col.setState("connecting");
  ws.onopen = () => {
    col.setState("open");
    col.opened(0);
  };
  ws.onmessage = (e) => {
    col.onTick(JSON.parse(e.data).tick);
    col.render();
  };
  ws.onerror = () => col.log("info", "error event (a WebSocket says nothing more)");
  ws.onclose = (e) => {
    col.final = "no reconnection: stays closed";
    col.setState("closed");
    decide(col.log("close", closeText(e), "", { code: e.code }), "final", "final: a WebSocket never reconnects");
  };
  return ws;
}

function redialSocket(url, col) {
  const ws = new RedialSocket(url, [], OPTIONS);
  const mine = (fn) => (e) => col.ws === ws && fn(e);
  col.setState(ws.state);
  ws.addEventListener("statechange", mine((e) => col.setState(e.state)));
  ws.addEventListener("open", mine(() => {
    col.opened(ws.attempt);
    col.render();
    showHandshake();
  }));
  ws.addEventListener("message", mine((e) => {
    col.onTick(JSON.parse(e.data).tick);
    col.render();
  }));
  ws.addEventListener("close", mine((e) => {
    const li = col.log("close", closeText(e), "", { code: e.code });
    if (e.willReconnect) {
      decide(li, "reconnect", "reconnect…");
      col.pending = li;
    } else {
      const why = whyFinal(e.code);
      decide(li, "final", `final: ${why}`);
      col.final = `closed for good: ${why}. Press Reset`;
      col.render();
    }
  }));
  ws.addEventListener("error", mine(() => {
    // A failed attempt (an error with no open connection): the browser
    // reports close 1006 and nothing else. The demo server knows more.
    if (ws.state === "open") return;
    const which = ws.attempt ? `attempt ${ws.attempt}` : "the first connection";
    const li = col.log("failed", `${which} failed: connection refused, browsers hide the HTTP status`);
    li.dataset.which = which;
    col.pending = li;
    serverView(li);
  }));
  ws.addEventListener("reconnecting", mine((e) => {
    col.retryAt = performance.now() + e.delayMs;
    const slow = e.delayMs >= 5000 && (e.code === 1012 || e.code === 1013) ? ` (≥ 5 s after ${e.code})` : "";
    const text = `reconnect in ${wait(e.delayMs)}${slow} · attempt ${e.attempt}`;
    if (col.pending) {
      decide(col.pending, "reconnect", text, e.delayMs);
      col.pending = null;
    } else {
      decide(col.log("info", `retry scheduled after ${describeCode(e.code)}`), "reconnect", text, e.delayMs);
    }
    col.render();
  }));
  return ws;
}

// Handshake lookups answer out of order; only the newest one is shown.
let hsGen = 0;

// What the server saw of a failed attempt: the page itself cannot know.
async function serverView(li) {
  const gen = ++hsGen;
  try {
    const h = await api("handshake", { client: "redial" });
    const what = $(".what", li);
    if (h.outcome === "refused") what.textContent += ` · the server sent ${h.status} ${h.statusText ?? ""}`.trimEnd();
    else if (h.outcome === "reset") what.textContent = `${li.dataset.which} failed: no connection · the server is down (TCP reset)`;
    if (h.outcome !== "upgraded" && gen === hsGen) renderHandshake(h, null);
  } catch {
    /* the row keeps the browser's view */
  }
}

async function sha1Base64(s) {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(s));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

async function showHandshake() {
  const gen = ++hsGen;
  try {
    const h = await api("handshake", { client: "redial" });
    const computed = h.key ? await sha1Base64(h.key + GUID) : "";
    if (gen === hsGen) renderHandshake(h, computed);
  } catch (err) {
    if (gen !== hsGen) return;
    const v = $("#hs-verdict");
    v.textContent = `could not read the handshake: ${err.message}`;
    v.dataset.verified = "false";
    v.dataset.tone = "bad";
  }
}

// Fills the panel from /api/handshake; computed is this page's
// base64(SHA-1(key + GUID)), or null for a refused attempt.
function renderHandshake(h, computed) {
  const line = (name, value, cls = "") =>
    value ? `<span class="hn">${name}:</span> <span class="${cls}">${esc(value)}</span>\n` : "";
  $("#hs-request").innerHTML =
    `<span class="start">${esc(`${h.method} ${h.target ?? h.path} ${h.proto ?? "HTTP/1.1"}`)}</span>\n` +
    line("Host", h.host) + line("Upgrade", h.upgrade) + line("Connection", h.connection) +
    line("Sec-WebSocket-Key", h.key, "key") + line("Sec-WebSocket-Version", h.version) +
    line("Sec-WebSocket-Protocol", h.protocol);
  const status = h.status ? `HTTP/1.1 ${h.status} ${h.statusText ?? ""}` : "(no answer: TCP reset)";
  $("#hs-response").innerHTML =
    `<span class="start">${esc(status)}</span>\n` +
    (h.status === 101 ? line("Upgrade", "websocket") + line("Connection", "Upgrade") + line("Sec-WebSocket-Accept", h.accept, "accept") : "");
  const v = $("#hs-verdict");
  const key = $("#hs-key");
  const comp = $("#hs-computed");
  key.textContent = h.key || "–";
  if (computed === null || h.status !== 101) {
    comp.textContent = "–";
    v.textContent = h.status
      ? `no 101 to verify: the server refused this attempt with ${h.status}; the page saw only close 1006`
      : "no 101 to verify: the server was down (TCP reset); the page saw only close 1006";
    v.dataset.verified = "false";
    v.dataset.tone = "warn";
    badge(false, h.status ? `handshake: ${h.status}` : "handshake: no answer");
    return;
  }
  comp.textContent = computed;
  const ok = computed === h.accept;
  v.textContent = ok
    ? "✓ verified: matches the server's Sec-WebSocket-Accept, so the server really read this key"
    : `✗ mismatch: the server sent ${h.accept}`;
  v.dataset.verified = String(ok);
  v.dataset.tone = ok ? "ok" : "bad";
  badge(ok, ok ? "handshake ✓ verified" : "handshake ✗ mismatch");
}

function badge(ok, text) {
  const b = $("#hs-badge");
  b.textContent = text;
  b.dataset.verified = String(ok);
}

function esc(s) {
  return String(s).replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]);
}

// The echo panel: a RedialSocket on /ws/echo. What is sent while it is
// down is queued and delivered, in order, after the reconnect.
let echo;
function openEcho() {
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

// The RedialSocket-side clients (the raw column never reconnects).
const RECONNECTING_CLIENTS = ["redial", "echo"];

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
  hsGen++; // drop handshake answers still on their way
  const v = $("#hs-verdict");
  v.textContent = "waiting for a connection…";
  v.dataset.verified = "false";
  v.dataset.tone = "";
  badge(false, "handshake …");
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
  columns.raw.start();
  columns.redial.start();
  openEcho();
  setInterval(() => {
    for (const col of Object.values(columns)) col.render();
  }, 200);
  document.body.dataset.ready = "true";
} catch (err) {
  $("#load-status").textContent = `could not start: ${err.message}`;
  $("#load-error").hidden = false;
  $("#load-error").textContent = `Could not start redial: ${err.message}. Build it with \`make demo\` (it runs scripts/build-js.sh).`;
  document.body.dataset.ready = "error";
}
