// The checks and conversions WebSocket's constructor, send() and close()
// make (WHATWG WebSockets Standard, WebIDL), so RedialSocket throws the same.

/** What send() takes, as WebSocket.send. */
export type SendData = string | ArrayBufferLike | ArrayBufferView | Blob;

export function syntaxError(msg: string): DOMException {
  return new DOMException(msg, "SyntaxError");
}

/** The page's base URL, which relative URLs resolve against (as WebSocket and fetch do). */
export function baseURL(): string {
  return globalThis.document?.baseURI ?? globalThis.location?.href ?? import.meta.url;
}

/** The URL a WebSocket would connect to (http(s) becomes ws(s)), or a SyntaxError. */
export function socketURL(url: string | URL, base: string): URL {
  let u: URL;
  try {
    u = new URL(String(url), base);
  } catch {
    throw syntaxError(`Failed to construct 'RedialSocket': The URL '${String(url)}' is invalid.`);
  }
  if (u.protocol === "http:") u.protocol = "ws:";
  else if (u.protocol === "https:") u.protocol = "wss:";
  if (u.protocol !== "ws:" && u.protocol !== "wss:") {
    throw syntaxError(
      `Failed to construct 'RedialSocket': The URL's scheme must be either 'http', 'https', 'ws', or 'wss'. '${u.protocol.slice(0, -1)}' is not allowed.`,
    );
  }
  if (u.hash !== "" || String(url).includes("#")) {
    throw syntaxError(
      `Failed to construct 'RedialSocket': The URL contains a fragment identifier ('${u.hash}'). Fragment identifiers are not allowed in WebSocket URLs.`,
    );
  }
  return u;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The subprotocols as a list of distinct tokens (RFC 6455 §4.1), or a SyntaxError. */
export function subprotocols(protocols: string | Iterable<string> | undefined): string[] {
  const protos = protocols === undefined ? [] : typeof protocols === "string" ? [protocols] : Array.from(protocols, String);
  const seen = new Set<string>();
  for (const p of protos) {
    if (!TOKEN.test(p)) {
      throw syntaxError(`Failed to construct 'RedialSocket': The subprotocol '${p}' is invalid.`);
    }
    if (seen.has(p)) {
      throw syntaxError(`Failed to construct 'RedialSocket': The subprotocol '${p}' is duplicated.`);
    }
    seen.add(p);
  }
  return protos;
}

/** The UTF-8 length of s, lone surrogates counted as U+FFFD (3 bytes). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

export const isBlob = (d: unknown): d is Blob => typeof Blob !== "undefined" && d instanceof Blob;

/** The bytes data takes on the wire (what bufferedAmount counts). */
export function sizeOf(d: SendData): number {
  if (typeof d === "string") return utf8Length(d);
  if (isBlob(d)) return d.size;
  return d.byteLength;
}

export function asBytes(d: ArrayBufferLike | ArrayBufferView): Uint8Array {
  if (d instanceof Uint8Array) return d;
  if (ArrayBuffer.isView(d)) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  return new Uint8Array(d); // ArrayBuffer (or SharedArrayBuffer)
}

/** WebIDL [Clamp] unsigned short, as WebSocket.close(code) converts its code. */
export function clampCode(v: unknown): number {
  let n = Number(v);
  if (Number.isNaN(n)) return 0;
  n = Math.min(Math.max(n, 0), 65535);
  const f = Math.floor(n);
  const d = n - f;
  if (d > 0.5 || (d === 0.5 && f % 2 === 1)) return f + 1;
  return f;
}

/** WebIDL USVString: lone surrogates become U+FFFD. */
export function toUSV(v: unknown): string {
  const s = String(v);
  return typeof s.toWellFormed === "function" ? s.toWellFormed() : s;
}

/** send()'s argument as WebIDL converts it: anything else becomes a string. */
export function sendData(data: unknown): SendData {
  if (typeof data === "string" || data instanceof ArrayBuffer || ArrayBuffer.isView(data) || isBlob(data)) return data;
  return typeof SharedArrayBuffer !== "undefined" && data instanceof SharedArrayBuffer ? data : toUSV(data);
}
