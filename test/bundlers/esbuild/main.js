// esbuild with --loader:.wasm=file: the import is the emitted file's path,
// relative to the output directory, so it is resolved against the bundle's
// own URL (the page may live elsewhere).
import * as redial from "redial-ws";
import wasmPath from "redial-ws/redial.wasm";

import { run } from "../app.js";

run(redial, new URL(wasmPath, import.meta.url));
