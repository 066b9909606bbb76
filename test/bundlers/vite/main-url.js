// Vite also takes the form webpack 5 does: new URL(…, import.meta.url),
// with a package path, becomes the emitted asset's URL.
import * as redial from "redial-ws";

import { run } from "../app.js";

run(redial, new URL("redial-ws/redial.wasm", import.meta.url));
