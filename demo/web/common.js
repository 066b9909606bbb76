// Shared by the demo page's modules: DOM and time helpers, the demo
// server's control API, the tick clock and close-code wording.

// The RedialSocket options this page uses. maxDelayMs caps the backoff at
// 8 s instead of the default 30 s so nobody waits long in a demo; every
// other rule is the default policy.
export const OPTIONS = { heartbeatMs: 5000, maxDelayMs: 8000 };
// The resume column's options: the same policy, in resume mode (the server
// is redial's Go server half), with a 1 s heartbeat: resume mode's ping
// declares a stalled socket dead within 2 × 1 s + 0.5 s, well inside the
// 5 s Stall fault.
export const RESUME_OPTIONS = { ...OPTIONS, resume: true, heartbeatMs: 1000 };
// How long a connection must stay open before the attempt counter resets:
// the SDK's default (sdk.DefaultStableAfter); RedialSocket has no option for it.
export const STABLE_AFTER_MS = 5000;
export const wsBase = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}`;
const t0 = performance.now();
export const $ = (sel, root = document) => root.querySelector(sel);
export const secs = (ms) => `${(ms / 1000).toFixed(ms < 10000 ? 1 : 0)} s`;
export const wait = (ms) => (ms < 1000 ? `${Math.round(ms)} ms` : secs(ms));
export const since = () => ((performance.now() - t0) / 1000).toFixed(1);
let seq = 0;
/** The next timeline row's data-seq (increasing across columns). */
export const nextSeq = () => ++seq;

const CODE_NAMES = {
  1000: "normal closure", 1001: "going away", 1005: "no status", 1006: "abnormal closure, no close frame",
  1008: "policy violation", 1011: "internal error", 1012: "service restart", 1013: "try again later",
};
export function describeCode(code) {
  if (CODE_NAMES[code]) return `${code} ${CODE_NAMES[code]}`;
  if (code >= 4000 && code <= 4499) return `${code} app code, retryable range`;
  if (code >= 4500 && code <= 4999) return `${code} app code, final range`;
  return String(code);
}
// Why the default policy made a close final, in a few words.
export function whyFinal(code) {
  if (code >= 4500 && code <= 4999) return "4500–4999 are final by policy";
  if (code >= 3500 && code <= 3999) return "3500–3999 are final by policy";
  if ([1002, 1003, 1007, 1008, 1009, 1010].includes(code)) return `${code} is final by policy`;
  return "the policy said stop";
}
export const closeText = (e) => `close ${describeCode(e.code)}${e.reason ? ` “${e.reason}”` : ""}`;

export function api(path, params = {}) {
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
/** Notes tick n as received by some client. */
export function sawTick(n) {
  latestSeen = Math.max(latestSeen, n);
}
export function refTick() {
  const est = clock.at ? clock.tick + Math.floor((performance.now() - clock.at) / clock.tickMs) - 1 : 0;
  return Math.max(latestSeen, est);
}
export async function pollClock() {
  try {
    const st = await api("state");
    clock.tick = st.tick;
    clock.tickMs = st.tickMs || 100;
    clock.at = performance.now();
  } catch {
    /* the next poll will tell */
  }
}
