// load(): start redial.wasm, once per page (or worker, or Node process).
import makeTransportHelper from "redial:jshelper";
import runWasmExec from "redial:wasm_exec";

import { setRuntime, type GoExports } from "./bridge.js";
import { wasmSource, type WasmSource } from "./source.js";
import { version } from "./version.js";
import { baseURL } from "./webidl.js";

export type { WasmSource } from "./source.js";

export interface LoadOptions {
  /**
   * redial.wasm: its URL (a string resolved against the page, like fetch, or
   * a URL), a WebAssembly.Module, its bytes (ArrayBuffer, typed array), a
   * Response, or a promise of one of these. Under Node also a file path or
   * a file: URL (e.g. `import.meta.resolve("redial-ws/redial.wasm")`).
   */
  wasmURL: WasmSource;
  /**
   * URL of a Go wasm_exec.js to use instead of the copy bundled in this
   * module (Go's, of the version redial.wasm was built with). Rarely needed.
   */
  wasmExecURL?: string | URL;
}

let loading: { key: unknown; what: string; promise: Promise<void> } | null = null;

/**
 * Starts redial.wasm, once per page: `load(source)` or `load({ wasmURL:
 * source })`, where source is any of LoadOptions.wasmURL's forms. The same
 * source (the same URL, or the same object) returns the same promise;
 * another rejects. Rejects with a worded Error when the file is missing
 * ("redial-ws: could not fetch …/redial.wasm: HTTP 404") or is not
 * redial.wasm, a TypeError for what is no source at all; a failed load may
 * be retried.
 */
export function load(options: LoadOptions | WasmSource): Promise<void> {
  let given: unknown = options;
  let wasmExecURL: string | URL | undefined;
  if (isOptionsBag(options)) {
    given = options.wasmURL;
    wasmExecURL = options.wasmExecURL;
  }
  let src;
  try {
    src = wasmSource(given);
  } catch (err) {
    return Promise.reject(err);
  }
  if (loading) {
    if (loading.key !== src.key) {
      return Promise.reject(
        new Error(`redial-ws: already loaded from ${loading.what}; load() cannot switch to ${src.what} (one runtime per page)`),
      );
    }
    return loading.promise;
  }
  const promise = start(src.what, src.instantiate, wasmExecURL).catch((err: unknown) => {
    if (loading?.promise === promise) loading = null; // let the page try again
    throw err;
  });
  loading = { key: src.key, what: src.what, promise };
  return promise;
}

// A plain object that is not itself a source: load({ wasmURL, ... }).
function isOptionsBag(v: unknown): v is LoadOptions {
  if (typeof v !== "object" || v === null || v instanceof URL || ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return false;
  if (v instanceof WebAssembly.Module) return false;
  if (typeof Response === "function" && v instanceof Response) return false;
  return typeof (v as { then?: unknown }).then !== "function";
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Go's wasm_exec.js: the bundled copy, run without leaving globalThis.Go
 * behind (a page's own Go stays as it was), or the page's choice.
 */
async function goClass(wasmExecURL: string | URL | undefined): Promise<GoClass> {
  const previous = globalThis.Go;
  if (wasmExecURL === undefined || wasmExecURL === "") {
    runWasmExec();
    const Go = globalThis.Go;
    globalThis.Go = previous;
    if (typeof Go !== "function") throw new Error("redial-ws: the bundled wasm_exec.js did not define Go");
    return Go;
  }
  const execURL = new URL(String(wasmExecURL), baseURL()).href;
  try {
    await import(/* @vite-ignore */ /* webpackIgnore: true */ execURL); // a classic script that sets globalThis.Go
  } catch (err) {
    throw new Error(`redial-ws: could not load ${execURL} (Go's wasm_exec.js): ${message(err)}`, { cause: err });
  }
  if (typeof globalThis.Go !== "function") {
    throw new Error(`redial-ws: ${execURL} did not define globalThis.Go; is it Go's wasm_exec.js?`);
  }
  return globalThis.Go;
}

async function start(
  what: string,
  instantiate: (imports: WebAssembly.Imports) => Promise<WebAssembly.Instance>,
  wasmExecURL: string | URL | undefined,
): Promise<void> {
  const Go = await goClass(wasmExecURL);
  const go = new Go();
  const instance = await instantiate(go.importObject);
  // The SDK's transport helper, defined here so that Go need not compile
  // it (which a Content-Security-Policy without 'unsafe-eval' forbids).
  const helper = makeTransportHelper();
  if (globalThis.__redialTransport?.version !== helper.version) {
    globalThis.__redialTransport = helper;
  }
  const previous = globalThis.__redial;
  let exited = false;
  let runtime: { exited: boolean } | null = null;
  // run() executes main() until it blocks, which installs __redial; the
  // promise settles only if the Go program exits.
  const onExit = () => {
    exited = true;
    if (runtime) runtime.exited = true;
  };
  go.run(instance).then(onExit, onExit);
  const api = globalThis.__redial;
  if (!api || api === previous || typeof api.dial !== "function") {
    throw new Error(`redial-ws: ${what} did not start (no globalThis.__redial); is it redial.wasm?`);
  }
  if (api.version !== version) {
    throw new Error(`redial-ws: ${what} is version ${api.version} but index.js is ${version}; use the redial.wasm of the same package`);
  }
  const exports = instance.exports as unknown as GoExports;
  if (typeof exports.redial_send !== "function" || typeof exports.redial_buffered !== "function") {
    throw new Error(`redial-ws: ${what} lacks the redial_send export; is it redial.wasm?`);
  }
  runtime = setRuntime(api, exports);
  runtime.exited = exited;
}
