// The three ticker columns: the browser's WebSocket, a RedialSocket and a
// RedialSocket in resume mode on /ws/ticker, each with its counters,
// headline and timeline.
import { RedialSocket } from "/dist/index.js";

import { $, closeText, describeCode, nextSeq, OPTIONS, refTick, RESUME_OPTIONS, sawTick, secs, since, STABLE_AFTER_MS, wait, whyFinal, wsBase } from "./common.js";
import { serverView, showHandshake } from "./handshake.js";
import { follow } from "./scrollbox.js";

// The first timeline row of each column: what to expect.
const HINTS = {
  raw: "A WebSocket fires close once and is done: reconnecting, backoff and re-sending are left to your code.",
  redial: "The same API. On every close the policy decides: reconnect after a jittered backoff (1 s, 2 s, 4 s… capped), " +
    "or stop for codes that would fail again (1008, 4500–4999). Sends are queued while it is down.",
  resume: "The same API with {resume: true}: the server (redial's Go server half) keeps the session, so after a reconnect " +
    "it replays every tick this socket missed, in order, none twice. Its ping notices a stalled socket within seconds.",
};

// A column: one client on /ws/ticker, its counters, headline and timeline.
export class Column {
  constructor(id, make) {
    this.id = id;
    this.el = $(`#col-${id}`);
    this.make = make;
    this.ws = null;
    this.repin = follow($(".timeline", this.el));
  }
  start() {
    this.c = { received: 0, gaps: 0, reconnects: 0, last: null, lastAt: 0 };
    this.opens = 0;
    this.downSince = 0;
    this.retryAt = 0;
    this.retry = null; // the last reconnecting event: {attempt, delayMs}
    this.openAt = 0; // when the current connection opened
    this.lastOpenMs = 0; // how long the connection that closed last stayed open
    this.pending = null; // the close/failed row waiting for the policy's decision
    this.headline = "";
    this.final = null;
    // Every tick received, in order: the tests check the resume column's
    // has no gap and no duplicate (app.js's DOM contract).
    this.ticks = [];
    (window.redialTicks ??= {})[this.id] = this.ticks;
    $(".timeline", this.el).replaceChildren();
    this.repin();
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
    this.openAt = performance.now();
    this.c.lastAt = this.openAt;
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
    if (this.ticks.length < 100_000) this.ticks.push(n);
    c.last = n;
    c.lastAt = now;
    sawTick(n);
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
    let why = ""; // a second part, in lighter type
    let tone = "";
    if (state === "closed") {
      text = this.final ?? "closed";
      tone = "bad";
    } else if (silent) {
      text = this.id === "resume"
        ? `no tick for ${secs(now - c.lastAt)}, still OPEN: its ping will tell`
        : `no tick for ${secs(now - c.lastAt)}, still OPEN: half-open, a browser can't tell`;
      tone = "warn";
    } else if (state === "reconnecting") {
      [text, why] = this.reconnectingLine(now);
      tone = "warn";
    } else if (state === "open") {
      text = c.reconnects > 0 ? `receiving ticks · came back ${c.reconnects}×` : "receiving ticks";
      tone = "ok";
    } else if (state === "connecting") {
      text = "connecting…";
    }
    const h = $(".headline", this.el);
    if (h.textContent !== text + why) {
      h.textContent = text;
      if (why) h.append(Object.assign(document.createElement("span"), { className: "why", textContent: why }));
      h.title = text + why;
    }
    h.dataset.tone = tone;
    this.el.dataset.attempt = String(this.ws?.attempt ?? 0);
  }
  log(kind, what, decision = "", attrs = {}) {
    const li = document.createElement("li");
    li.dataset.seq = String(nextSeq());
    li.dataset.kind = kind;
    for (const [k, v] of Object.entries(attrs)) li.dataset[k] = v;
    li.innerHTML = `<time></time><span class="what"></span><span class="decision"></span>`;
    li.children[0].textContent = since();
    li.children[1].textContent = what;
    li.children[2].textContent = decision;
    const ol = $(".timeline", this.el);
    ol.append(li); // oldest first: the newest at the bottom, in view (scrollbox.js)
    while (ol.children.length > 200) ol.children[ol.firstChild.dataset.kind === "hint" ? 1 : 0].remove();
    return li;
  }
  // The headline while reconnecting, from the last reconnecting event. From
  // attempt 2 on it says why the waits keep growing: the attempt counter
  // resets only once a connection stayed open STABLE_AFTER_MS, so faults a
  // few seconds apart add up (the default policy; sdk.Options.StableAfter).
  reconnectingLine(now) {
    const attempt = this.retry?.attempt ?? this.ws?.attempt ?? 0;
    const when = this.retryAt > now ? ` in ${secs(this.retryAt - now)}` : "…";
    const why = attempt >= 2 ? ` · waits grow until a connection lasts ${STABLE_AFTER_MS / 1000} s` : "";
    return [`attempt ${attempt}${when}`, why];
  }
}

function decide(li, decision, text, delayMs) {
  li.dataset.decision = decision;
  if (delayMs !== undefined) li.dataset.delayMs = String(Math.round(delayMs));
  li.querySelector(".decision").textContent = text;
}

export function rawSocket(url, col) {
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

export const redialSocket = (url, col) => makeRedial(url, col, OPTIONS);
export const resumeSocket = (url, col) => makeRedial(url, col, RESUME_OPTIONS);

function makeRedial(url, col, options) {
  const ws = new RedialSocket(url, [], options);
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
    if (col.openAt) col.lastOpenMs = performance.now() - col.openAt;
    col.openAt = 0;
    const quiet = col.c.lastAt ? performance.now() - col.c.lastAt : 0;
    const li = col.log("close", closeText(e), "", { code: e.code });
    // Resume mode's ping found an open socket silent (the Stall fault): say
    // it was detected, the way the other columns say it was not.
    if (options.resume && e.code === 1006 && quiet > 1500) {
      col.log("detected", `stall detected: no tick and no pong for ${secs(quiet)}; the socket is replaced, the session kept`);
    }
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
    col.retry = { attempt: e.attempt, delayMs: e.delayMs };
    const slow = e.delayMs >= 5000 && (e.code === 1012 || e.code === 1013) ? ` (≥ 5 s after ${e.code})` : "";
    const text = `reconnect in ${wait(e.delayMs)}${slow} · attempt ${e.attempt}`;
    if (col.pending) {
      decide(col.pending, "reconnect", text, e.delayMs);
      // The first retry after an open connection closed, and not attempt 1:
      // that connection was too short to reset the count. Say so once, here.
      if (col.pending.dataset.kind === "close" && e.attempt >= 2) {
        col.log("info", `attempt ${e.attempt}, not 1: the last connection lasted ${secs(col.lastOpenMs)} (< ${STABLE_AFTER_MS / 1000} s)`, "",
          { carried: "true" });
      }
      col.pending = null;
    } else {
      decide(col.log("info", `retry scheduled after ${describeCode(e.code)}`), "reconnect", text, e.delayMs);
    }
    col.render();
  }));
  return ws;
}
