// redial-ws under Node, as installed from npm: `npm pack`, the tarball
// unpacked into an app folder with the `ws` package, and app.mjs run by this
// Node (20 on this machine: no global WebSocket) against a `ws` echo server
// in this process: open, echo, a TCP cut, the reconnect, an echo, the final
// close and the process's exit; load() from a file: URL, a path, bytes and a
// WebAssembly.Module; the runtime's global WebSocket (Node 20's
// --experimental-websocket, on by default from 22); and the worded error
// where there is no WebSocket at all.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { copyFile, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { deadline, root, startWsServer } from "../js/helpers.js";
import { npmEnv, pack, unpack } from "../js/pack.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const nodeMajor = Number(process.versions.node.split(".")[0]);

let tmp, app, server, packMs;

before(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "redial-node-"));
  app = path.join(tmp, "app");
  let tarball;
  [{ tarball, ms: packMs }, server] = await Promise.all([pack(tmp, npmEnv(tmp)), startWsServer()]);
  await unpack(tarball, app);
  await symlink(path.join(root, "node_modules/ws"), path.join(app, "node_modules/ws"), "dir");
  await copyFile(path.join(here, "app.mjs"), path.join(app, "app.mjs"));
});
after(async () => {
  await server?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/**
 * Runs app.mjs in mode; onLine sees each line as it comes. Resolves to
 * {lines, code, stderr, ms} once the process exited by itself.
 */
async function runApp(mode, { flags = [], onLine = () => {} } = {}) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [...flags, "app.mjs", mode, server.url + "/echo"], { cwd: app, stdio: ["ignore", "pipe", "pipe"] });
  const lines = [];
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  createInterface({ input: child.stdout }).on("line", (line) => {
    lines.push(line);
    onLine(line, performance.now() - t0);
  });
  try {
    const [code] = await deadline(once(child, "exit"), 20_000, `node app.mjs ${mode} to exit; so far: ${JSON.stringify(lines)} ${stderr}`);
    return { lines, code, stderr, ms: performance.now() - t0 };
  } finally {
    child.kill("SIGKILL");
  }
}

describe(`Node ${process.versions.node}`, { timeout: 120_000 }, () => {
  test("with the ws package: open, echo, a drop, the reconnect, the final close, and the process exits", async (t) => {
    let connected = 0;
    const res = await runApp("resolve", {
      onLine: (line, ms) => {
        if (line === "message hello 1") {
          connected = ms;
          server.drop();
        }
      },
    });
    assert.equal(res.stderr, "");
    assert.equal(res.code, 0);
    assert.deepEqual(res.lines, ["open 1", "message hello 1", "close 1006 true", "open 2", "message hello 2", "close 1000 false"]);
    t.diagnostic(`npm pack → connected (Node ${process.versions.node} + ws) ${Math.round(packMs + connected)} ms (pack ${Math.round(packMs)} ms); exited ${Math.round(res.ms)} ms after start`);
  });

  for (const mode of ["path", "bytes", "module"]) {
    test(`load() from ${mode}`, async () => {
      const res = await runApp(mode);
      assert.equal(res.stderr, "");
      assert.deepEqual(res.lines, ["open 1", "message hello 1", "close 1000 false"]);
    });
  }

  test("the runtime's global WebSocket, without the option (Node ≥ 22; Node 20 with --experimental-websocket)", async () => {
    const res = await runApp("global", { flags: nodeMajor < 22 ? ["--experimental-websocket", "--no-warnings"] : [] });
    assert.equal(res.stderr, "");
    assert.deepEqual(res.lines, ["open 1", "message hello 1", "close 1000 false"]);
  });

  test("no global WebSocket and no option: a TypeError that says to pass { WebSocket }", async () => {
    const res = await runApp("none");
    assert.equal(res.code, 0);
    assert.deepEqual(res.lines, [
      'threw TypeError: redial-ws: this JavaScript environment has no global WebSocket (Node before 22?): pass a constructor as the option WebSocket, e.g. import { WebSocket } from "ws"; new RedialSocket(url, [], { WebSocket })',
    ]);
  });
});
