// Shared setup for the browser tests: the Go testserver (built once per test
// file), a static HTTP server for dist/ and the fixtures, a foreign WebSocket
// server (the `ws` package) and headless Chromium through playwright-core.
// Everything started here is stopped by env.close(), so the process exits.
import { spawn, execFile } from "node:child_process";
import { once } from "node:events";
import { createReadStream, rmSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { chromium } from "playwright-core";
import { WebSocketServer } from "ws";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const dist = path.join(root, "dist");
export const fixtures = path.join(root, "test/js/fixtures");

const run = promisify(execFile);

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Rejects with a worded error if p does not settle within ms. */
export function deadline(p, ms, what) {
  let timer;
  return Promise.race([
    p,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Builds the Go testserver into dir (host GOOS/GOARCH) and returns its path. */
export async function buildTestServer(dir) {
  const bin = path.join(dir, "testserver");
  const env = { ...process.env };
  delete env.GOOS;
  delete env.GOARCH;
  await run("go", ["build", "-o", bin, "./internal/testserver/cmd/testserver"], { cwd: root, env });
  return bin;
}

/** Starts the testserver; resolves to {ws, control, stop}. */
export async function startTestServer(bin) {
  const child = spawn(bin, [], { stdio: ["pipe", "pipe", "pipe"] });
  // Should the test process end without its after() hooks (a cancelled
  // suite), take the server down with it.
  const onExit = () => child.kill("SIGKILL");
  process.once("exit", onExit);
  child.once("exit", () => process.off("exit", onExit));
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const line = await deadline(
    new Promise((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
        const nl = out.indexOf("\n");
        if (nl >= 0) resolve(out.slice(0, nl));
      });
      child.on("exit", (code) => reject(new Error(`testserver exited (${code}) before announcing: ${stderr}`)));
      child.on("error", reject);
    }),
    30_000,
    "testserver to print its addresses",
  );
  const { ws, control } = JSON.parse(line);
  return {
    ws,
    control,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.stdin.end(); // it exits on stdin EOF
      try {
        await deadline(exited, 5000, "testserver to exit on stdin EOF");
      } catch {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}

/** Calls a control endpoint of the testserver (GET) and returns the body. */
export async function control(env, pathAndQuery) {
  const res = await fetch(env.control + pathAndQuery);
  const body = await res.text();
  if (!res.ok) throw new Error(`control ${pathAndQuery}: HTTP ${res.status}: ${body}`);
  return body;
}

export const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".ts": "text/plain; charset=utf-8",
};

/**
 * A static server on loopback: route(url, res) answers the paths it knows
 * (returning true); otherwise mounts maps a URL prefix ("/dist/") to a
 * directory, each file sent with the headers fileHeaders(stat) adds (the
 * benchmark pages share this: bench/browser/lib.mjs). Resolves to {origin, close}.
 */
export async function serveMounts({ mounts, route = () => false, fileHeaders = () => ({ "cache-control": "no-store" }) }) {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://x");
    if (route(url, res)) return;
    for (const [prefix, dir] of Object.entries(mounts)) {
      if (!url.pathname.startsWith(prefix)) continue;
      const file = path.join(dir, decodeURIComponent(url.pathname.slice(prefix.length)));
      if (!file.startsWith(dir + path.sep)) break;
      try {
        const st = await stat(file);
        if (!st.isFile()) break;
        res.writeHead(200, {
          "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
          "content-length": st.size,
          ...fileHeaders(st),
        });
        createReadStream(file).pipe(res);
        return;
      } catch {
        break;
      }
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found");
  });
  server.keepAliveTimeout = 1000;
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * A static server: mounts maps a URL prefix ("/dist/") to a directory. "/" is
 * an empty page. Resolves to {origin, close}.
 */
export function startStatic(mounts) {
  return serveMounts({
    mounts,
    route(url, res) {
      if (url.pathname !== "/") return false;
      // ?csp=<policy> serves the page under that Content-Security-Policy.
      const csp = url.searchParams.get("csp");
      res.writeHead(200, { "content-type": TYPES[".html"], ...(csp ? { "content-security-policy": csp } : {}) });
      res.end("<!doctype html><meta charset=utf-8><title>redial test</title>");
      return true;
    },
  });
}

/**
 * A foreign WebSocket server (the `ws` package): /echo (any other path too)
 * echoes with the same type; /close?code=&reason= closes right after the handshake; /burst?n=
 * sends the texts "1".."n" at once on connect, then echoes.
 */
export async function startWsServer() {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  wss.on("connection", (sock, req) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === "/close") {
      sock.close(Number(url.searchParams.get("code") ?? 1000), url.searchParams.get("reason") ?? "");
      return;
    }
    if (url.pathname === "/burst") {
      const n = Number(url.searchParams.get("n") ?? 100);
      for (let i = 1; i <= n; i++) sock.send(String(i));
    }
    sock.on("message", (data, isBinary) => sock.send(data, { binary: isBinary }));
  });
  await once(wss, "listening");
  return {
    url: `ws://127.0.0.1:${wss.address().port}`,
    /** Cuts every connection (TCP, no close frame). */
    drop() {
      for (const c of wss.clients) c.terminate();
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS, timeout: 60_000 });
}

/**
 * The usual environment: testserver, static server (dist/ and fixtures/),
 * Chromium. opts.ws adds the `ws` server; opts.mounts adds static mounts.
 */
export async function setup(opts = {}) {
  const cleanups = [];
  const env = {
    async close() {
      for (const fn of cleanups.reverse()) {
        try {
          await fn();
        } catch (err) {
          console.error("cleanup:", err);
        }
      }
      cleanups.length = 0;
    },
  };
  try {
    const tmp = await mkdtemp(path.join(tmpdir(), "redial-js-test-"));
    const rmTmp = () => rmSync(tmp, { recursive: true, force: true });
    process.once("exit", rmTmp); // also when after() hooks never ran
    cleanups.push(async () => {
      process.off("exit", rmTmp);
      await rm(tmp, { recursive: true, force: true });
    });
    env.tmp = tmp;
    const [bin, browser] = await Promise.all([buildTestServer(tmp), launchBrowser()]);
    cleanups.push(() => browser.close());
    env.browser = browser;
    const ts = await startTestServer(bin);
    cleanups.push(() => ts.stop());
    env.ws = ts.ws;
    env.control = ts.control;
    const st = await startStatic({ "/dist/": dist, "/fixtures/": fixtures, ...opts.mounts });
    cleanups.push(() => st.close());
    env.origin = st.origin;
    if (opts.ws) {
      const foreign = await startWsServer();
      cleanups.push(() => foreign.close());
      env.foreign = foreign.url;
    }
  } catch (err) {
    await env.close();
    throw err;
  }
  return env;
}

/**
 * A fresh page (own context) on the static origin, with redial loaded
 * (unless load is false) and the fixture library as window.lib. csp serves
 * the page under that Content-Security-Policy.
 */
export async function newPage(env, { load = true, csp = "" } = {}) {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  page.on("pageerror", (err) => console.error("page error:", err));
  await page.goto(env.origin + "/" + (csp ? "?csp=" + encodeURIComponent(csp) : ""));
  await page.evaluate(
    async ({ load, stream }) => {
      window.redial = await import("/dist/index.js");
      window.lib = await import("/fixtures/lib.js");
      if (stream) {
        // REDIAL_JS_TRANSPORT=stream: every RedialSocket over WebSocketStream
        // unless a test picks its transport itself.
        const Base = window.redial.RedialSocket;
        const Stream = class RedialSocket extends Base {
          constructor(url, protocols, options) {
            const o = options ?? {};
            super(url, protocols, o.WebSocket || "webSocketStream" in o ? options : { ...o, webSocketStream: true });
          }
        };
        window.redial = { ...window.redial, RedialSocket: Stream };
      }
      if (load) await window.redial.load({ wasmURL: "/dist/redial.wasm" });
    },
    { load, stream: process.env.REDIAL_JS_TRANSPORT === "stream" },
  );
  return { context, page, close: () => context.close() };
}

/** Events a raw WebSocket also has, without redial's extra fields. */
export function compatView(entries) {
  return entries
    .filter((e) => ["open", "message", "close", "error"].includes(e.type))
    .map(({ willReconnect, message, ...rest }) => rest);
}

/**
 * Runs scenario(socket, rec, lib) in the page twice, once with WebSocket and
 * once with RedialSocket (given redialOptions), and returns both event logs
 * with what each run returned: {raw: {log, extra}, redial: {log, extra}}.
 * scenario may be a function or its source text. { raw: false } runs only
 * the RedialSocket (for its own events, which WebSocket does not have).
 */
export async function sideBySide(page, url, protocols, redialOptions, scenario, { raw = true } = {}) {
  return page.evaluate(
    async ({ url, protocols, redialOptions, scenario, withRaw }) => {
      const run = new Function("socket", "rec", "lib", `return (${scenario})(socket, rec, lib);`);
      const once = async (make) => {
        const socket = make();
        const rec = lib.record(socket);
        const extra = await run(socket, rec, lib);
        return { log: await rec.entries(), extra };
      };
      const raw = withRaw ? await once(() => new WebSocket(url, protocols)) : null;
      const redial = await once(() => new window.redial.RedialSocket(url, protocols, redialOptions));
      return { raw, redial };
    },
    { url, protocols, redialOptions, scenario: scenario.toString(), withRaw: raw },
  );
}

// closeLeftover ends the page's window.s for good (if a test left it open)
// and waits for its final close, so the next test starts clean.
export async function closeLeftover(page) {
  await page.evaluate(async () => {
    if (window.s && window.s.readyState !== 3) {
      window.s.close();
      await window.rec.waitFor((e) => e.type === "close" && e.willReconnect === false, { what: "final close" });
    }
    window.s = window.rec = undefined;
  });
}
