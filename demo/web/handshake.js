// The handshake panel: what the demo server saw of the RedialSocket's last
// opening handshake, and this page's own check of Sec-WebSocket-Accept.
import { $, api } from "./common.js";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// Handshake lookups answer out of order; only the newest one is shown.
let hsGen = 0;

// What the server saw of a failed attempt: the page itself cannot know.
export async function serverView(li) {
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

export async function showHandshake() {
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

/** Empties the panel and drops lookups still on their way (Reset). */
export function resetHandshake() {
  hsGen++;
  const v = $("#hs-verdict");
  v.textContent = "waiting for a connection…";
  v.dataset.verified = "false";
  v.dataset.tone = "";
  badge(false, "handshake …");
}
