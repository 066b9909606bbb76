// Declarations for what the build provides (scripts/bundle.mjs): the
// package version and two modules made from files outside js/. Not part of
// the published types.

/** package.json's version (esbuild --define). */
declare const __REDIAL_VERSION__: string;

/** sdk/jshelper.js, the SDK's browser transport helper, as code. */
declare module "redial:jshelper" {
  const makeTransportHelper: () => { readonly version: number };
  export default makeTransportHelper;
}

/** Go's wasm_exec.js ($(go env GOROOT)/lib/wasm), run when called: it defines globalThis.Go. */
declare module "redial:wasm_exec" {
  const runWasmExec: () => void;
  export default runWasmExec;
}

/** Go's wasm_exec.js class (a Go program's JS side). */
interface GoClass {
  new (): { importObject: WebAssembly.Imports; run(instance: WebAssembly.Instance): Promise<void> };
}

// Globals set by wasm_exec.js, wasm/main.go and load() (sdk/jshelper.js).
declare var Go: GoClass | undefined;
declare var __redial: import("./bridge.js").GoAPI | undefined;
declare var __redialTransport: { readonly version: number } | undefined;
