// load(): fetch and start redial.wasm, once per page.
import makeTransportHelper from "redial:jshelper";
import runWasmExec from "redial:wasm_exec";

import { setRuntime, type GoExports } from "./bridge.js";
import { version } from "./version.js";
import { baseURL } from "./webidl.js";

export interface LoadOptions {
  /** URL of redial.wasm (resolved against the page, like fetch). */
  wasmURL: string | URL;
  /**
   * URL of a Go wasm_exec.js to use instead of the copy bundled in this
   * module (Go's, of the version redial.wasm was built with). Rarely needed.
   */
  wasmExecURL?: string | URL;
}

let loading: { url: string; promise: Promise<void> } | null = null;

/**
 * Fetches and starts redial.wasm, once per page. The same URL returns the
 * same promise; another URL rejects. Rejects with a worded Error when the
 * file is missing ("redial-ws: could not fetch …/redial.wasm: HTTP 404") or
 * is not redial.wasm; a failed load may be retried.
 */
export function load(options: LoadOptions): Promise<void> {
  const { wasmURL, wasmExecURL } = options ?? {};
  if (wasmURL === undefined || wasmURL === null || wasmURL === "") {
    return Promise.reject(new TypeError("redial-ws: load({wasmURL}) needs the URL of redial.wasm"));
  }
  let url: string;
  try {
    url = new URL(String(wasmURL), baseURL()).href;
  } catch {
    return Promise.reject(new TypeError(`redial-ws: wasmURL ${JSON.stringify(String(wasmURL))} is not a valid URL`));
  }
  if (loading) {
    if (loading.url !== url) {
      return Promise.reject(
        new Error(`redial-ws: already loaded from ${loading.url}; load() cannot switch to ${url} (one runtime per page)`),
      );
    }
    return loading.promise;
  }
  const promise = start(url, wasmExecURL).catch((err: unknown) => {
    if (loading?.promise === promise) loading = null; // let the page try again
    throw err;
  });
  loading = { url, promise };
  return promise;
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
    await import(/* @vite-ignore */ execURL); // a classic script that sets globalThis.Go
  } catch (err) {
    throw new Error(`redial-ws: could not load ${execURL} (Go's wasm_exec.js): ${message(err)}`, { cause: err });
  }
  if (typeof globalThis.Go !== "function") {
    throw new Error(`redial-ws: ${execURL} did not define globalThis.Go; is it Go's wasm_exec.js?`);
  }
  return globalThis.Go;
}

async function start(url: string, wasmExecURL: string | URL | undefined): Promise<void> {
  const Go = await goClass(wasmExecURL);
  let resp: Response;
  try {
    resp = await fetch(url);
  } catch (err) {
    throw new Error(`redial-ws: could not fetch ${url}: ${message(err)}`, { cause: err });
  }
  if (!resp.ok) {
    throw new Error(`redial-ws: could not fetch ${url}: HTTP ${resp.status}`);
  }
  const go = new Go();
  let instance: WebAssembly.Instance;
  try {
    const type = (resp.headers.get("content-type") ?? "").split(";")[0].trim();
    if (type === "application/wasm" && WebAssembly.instantiateStreaming) {
      ({ instance } = await WebAssembly.instantiateStreaming(resp, go.importObject));
    } else {
      ({ instance } = await WebAssembly.instantiate(await resp.arrayBuffer(), go.importObject));
    }
  } catch (err) {
    throw new Error(`redial-ws: ${url} is not a loadable redial.wasm: ${message(err)}`, { cause: err });
  }
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
    throw new Error(`redial-ws: ${url} did not start (no globalThis.__redial); is it redial.wasm?`);
  }
  if (api.version !== version) {
    throw new Error(`redial-ws: ${url} is version ${api.version} but index.js is ${version}; serve one dist/ together`);
  }
  const exports = instance.exports as unknown as GoExports;
  if (typeof exports.redial_send !== "function" || typeof exports.redial_buffered !== "function") {
    throw new Error(`redial-ws: ${url} lacks the redial_send export; is it redial.wasm?`);
  }
  runtime = setRuntime(api, exports);
  runtime.exited = exited;
}
