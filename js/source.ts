// What load() accepts as redial.wasm, and how each form is instantiated:
// a URL (fetched), a WebAssembly.Module, bytes, a Response, a promise of
// one of these and, under Node, a file path or file: URL (read from disk).
import { baseURL } from "./webidl.js";

/**
 * redial.wasm as load() takes it. Bundlers give a URL (Vite's `?url`,
 * esbuild's file loader, webpack's `new URL(…, import.meta.url)`); a page
 * may also compile it itself, or hand over its bytes or a fetch Response.
 */
export type WasmSource =
  | string
  | URL
  | WebAssembly.Module
  | ArrayBuffer
  | ArrayBufferView
  | Response
  | PromiseLike<string | URL | WebAssembly.Module | ArrayBuffer | ArrayBufferView | Response>;

/** A checked source: key tells one load from another, what names it in errors. */
export interface Source {
  key: unknown;
  what: string;
  instantiate(imports: WebAssembly.Imports): Promise<WebAssembly.Instance>;
}

const FORMS =
  "a URL (string or URL), a WebAssembly.Module, its bytes (ArrayBuffer or typed array), " +
  "a Response or a promise of one (under Node also a file path), alone or as load({ wasmURL })";
const ACCEPTS = `load() takes redial.wasm as ${FORMS}`;

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The name of what v is, for a TypeError. */
function kind(v: unknown): string {
  if (v === null) return "null";
  if (typeof v !== "object") return typeof v;
  const name = (v as object).constructor?.name;
  return name ? `a ${name}` : "an object";
}

/** Node (not a browser nor a worker): there, paths and file: URLs are read from disk. */
function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === "string" && typeof (globalThis as { location?: unknown }).location === "undefined";
}

// A string that names a file under Node: not an absolute URL (a Windows
// drive letter is not a scheme).
const isPath = (s: string): boolean => /^[a-zA-Z]:[\\/]/.test(s) || !/^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(s);

/** Checks v (TypeError) and returns how to instantiate it. */
export function wasmSource(v: unknown): Source {
  if (v === undefined || v === null || v === "") {
    throw new TypeError(`redial-ws: load() needs redial.wasm: ${FORMS}; got ${v === "" ? "an empty string" : String(v)}`);
  }
  if (typeof v === "string" || v instanceof URL) {
    if (isNode() && (v instanceof URL ? v.protocol === "file:" : isPath(v) || v.startsWith("file:"))) {
      const file = v instanceof URL ? v.href : v;
      return { key: file, what: file, instantiate: (imports) => fromBytes(readNodeFile(v), file, imports) };
    }
    let url: string;
    try {
      url = new URL(String(v), baseURL()).href;
    } catch {
      throw new TypeError(`redial-ws: wasmURL ${JSON.stringify(String(v))} is not a valid URL`);
    }
    return { key: url, what: url, instantiate: (imports) => fromResponse(fetchURL(url), url, imports) };
  }
  if (typeof v !== "object" && typeof v !== "function") throw new TypeError(`redial-ws: ${ACCEPTS}; not ${kind(v)}`);
  if (v instanceof WebAssembly.Module) {
    const what = "the WebAssembly.Module given";
    return { key: v, what, instantiate: (imports) => fromModule(v, what, imports) };
  }
  if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
    const what = `the ${v.constructor?.name ?? "bytes"} given (${v.byteLength} bytes)`;
    return { key: v, what, instantiate: (imports) => fromBytes(Promise.resolve(v), what, imports) };
  }
  if (typeof Response === "function" && v instanceof Response) {
    const what = v.url || "the Response given";
    return { key: v, what, instantiate: (imports) => fromResponse(Promise.resolve(v), what, imports) };
  }
  if (typeof (v as { then?: unknown }).then === "function") {
    const what = "the promise given";
    return {
      key: v,
      what,
      instantiate: async (imports) => {
        let got: unknown;
        try {
          got = await (v as PromiseLike<unknown>);
        } catch (err) {
          throw new Error(`redial-ws: the promise given to load() rejected: ${message(err)}`, { cause: err });
        }
        if (got !== null && typeof got === "object" && typeof (got as { then?: unknown }).then === "function") {
          throw new TypeError(`redial-ws: the promise given to load() resolved to another promise; ${ACCEPTS}`);
        }
        return wasmSource(got).instantiate(imports);
      },
    };
  }
  throw new TypeError(`redial-ws: ${ACCEPTS}; not ${kind(v)}`);
}

async function fetchURL(url: string): Promise<Response> {
  try {
    return await fetch(url);
  } catch (err) {
    throw new Error(`redial-ws: could not fetch ${url}: ${message(err)}`, { cause: err });
  }
}

async function fromResponse(p: Promise<Response>, what: string, imports: WebAssembly.Imports): Promise<WebAssembly.Instance> {
  const resp = await p;
  if (!resp.ok) throw new Error(`redial-ws: could not fetch ${what}: HTTP ${resp.status}`);
  if (resp.bodyUsed) throw new TypeError(`redial-ws: the body of ${what} was already read; give load() a fresh Response`);
  try {
    const type = (resp.headers.get("content-type") ?? "").split(";")[0].trim();
    if (type === "application/wasm" && WebAssembly.instantiateStreaming) {
      return (await WebAssembly.instantiateStreaming(resp, imports)).instance;
    }
    return (await WebAssembly.instantiate(await resp.arrayBuffer(), imports)).instance;
  } catch (err) {
    throw new Error(`redial-ws: ${what} is not a loadable redial.wasm: ${message(err)}`, { cause: err });
  }
}

async function fromBytes(p: Promise<ArrayBuffer | ArrayBufferView>, what: string, imports: WebAssembly.Imports): Promise<WebAssembly.Instance> {
  const bytes = await p;
  try {
    return (await WebAssembly.instantiate(bytes as BufferSource, imports)).instance;
  } catch (err) {
    throw new Error(`redial-ws: ${what} is not a loadable redial.wasm: ${message(err)}`, { cause: err });
  }
}

async function fromModule(m: WebAssembly.Module, what: string, imports: WebAssembly.Imports): Promise<WebAssembly.Instance> {
  try {
    return await WebAssembly.instantiate(m, imports);
  } catch (err) {
    throw new Error(`redial-ws: ${what} is not a loadable redial.wasm: ${message(err)}`, { cause: err });
  }
}

/**
 * A file's bytes under Node. node:fs is imported by a name bundlers do not
 * follow (this module also goes into browser bundles, where it never runs).
 */
async function readNodeFile(file: string | URL): Promise<Uint8Array> {
  type FS = { readFile(p: string | URL): Promise<Uint8Array> };
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const name = "node:fs/promises";
  let fs: FS;
  try {
    fs = (proc?.getBuiltinModule?.(name) as FS | undefined) ?? ((await import(/* @vite-ignore */ /* webpackIgnore: true */ name)) as FS);
  } catch (err) {
    throw new Error(`redial-ws: cannot read ${String(file)} here (no node:fs): ${message(err)}`, { cause: err });
  }
  const target = typeof file === "string" && file.startsWith("file:") ? new URL(file) : file;
  try {
    return await fs.readFile(target);
  } catch (err) {
    throw new Error(`redial-ws: could not read ${String(file)}: ${message(err)}`, { cause: err });
  }
}
