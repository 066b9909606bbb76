// Vite: the wasm as an asset URL (`?url`), emitted next to the bundle.
import * as redial from "redial-ws";
import wasmURL from "redial-ws/redial.wasm?url";

import { run } from "../app.js";

run(redial, wasmURL);
