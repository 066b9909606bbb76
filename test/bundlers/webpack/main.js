// webpack 5: new URL(…, import.meta.url) makes the wasm an asset module,
// emitted with the bundle; the URL points at it.
import * as redial from "redial-ws";

import { run } from "../app.js";

run(redial, new URL("redial-ws/redial.wasm", import.meta.url));
