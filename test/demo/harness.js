// Shared by the demo's tests (test/demo/*.test.js): build and start the demo
// server, launch Chromium, and wait on the page's DOM (its contract is at the
// top of demo/web/app.js). Every wait is on DOM state with a deadline.
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { chromium } from "playwright-core";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const dist = path.join(root, "dist");

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Checks dist/ is built; a temp dir removed at exit. */
export async function prepare() {
  for (const f of ["index.js", "redial.wasm"]) {
    if (!existsSync(path.join(dist, f))) {
      throw new Error(`dist/${f} is missing: build it first (make wasm, or scripts/build-js.sh)`);
    }
  }
  const tmp = await mkdtemp(path.join(tmpdir(), "redial-demo-test-"));
  process.once("exit", () => rmSync(tmp, { recursive: true, force: true }));
  return tmp;
}

/** Builds demo/server into dir/redial-demo (a host binary) and returns its path. */
export async function buildServer(dir) {
  const bin = path.join(dir, "redial-demo");
  await promisify(execFile)("go", ["build", "-o", bin, "./demo/server"], { cwd: root, env: hostEnv() });
  return bin;
}

/** The environment for the server: a host build, no PORT unless given. */
function hostEnv(extra = {}) {
  const env = { ...process.env };
  delete env.GOOS; // a host binary, whatever the caller's shell says
  delete env.GOARCH;
  delete env.PORT;
  return { ...env, ...extra };
}

/**
 * Starts the built server with args and extra env; resolves once it printed
 * its startup line: { url, line, stop }.
 */
export async function startServer(bin, { args = ["-addr", "127.0.0.1:0"], env = {} } = {}) {
  const child = spawn(bin, [...args, "-web", path.join(root, "demo/web"), "-dist", dist, "-quiet"], {
    cwd: root,
    env: hostEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill); // also when after() never runs
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const [url, line] = await withDeadline(
    new Promise((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
        const m = /^(redial demo: (http:\/\/\S+).*)\n/m.exec(out);
        if (m) resolve([m[2], m[1]]);
      });
      child.once("exit", (code) => reject(new Error(`demo server exited (${code}) before printing its URL: ${stderr}`)));
      child.once("error", reject);
    }),
    20_000,
    "the demo server to print its URL",
  );
  return {
    url,
    line,
    async stop() {
      process.off("exit", kill);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM"); // it shuts down within 2 s
      try {
        await withDeadline(exited, 5000, "the demo server to exit on SIGTERM");
      } catch {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}

export function launchBrowser() {
  // Scrollbars as a user sees them (Playwright hides them by default), so the
  // screenshot shows the timelines' and the layout checks measure them.
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS, ignoreDefaultArgs: ["--hide-scrollbars"], timeout: 60_000 });
}

export function withDeadline(p, ms, what) {
  let timer;
  return Promise.race([
    p,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A demo page and the waits the tests make on it. */
export class DemoPage {
  constructor(page, tmp) {
    this.page = page;
    this.tmp = tmp;
    this.errors = [];
    page.on("pageerror", (err) => this.errors.push(err));
  }

  /** Opens the page and waits for redial.wasm and both columns open. */
  async open(url) {
    await this.page.goto(url);
    const ready = await this.until("redial.wasm to load (body[data-ready])", () => document.body.dataset.ready, undefined, 30_000);
    if (ready !== "true") throw new Error(`the page did not load: ${await this.page.textContent("#load-status")}`);
    await this.waitOpen(10_000, { raw: true });
  }

  /** What the page shows, for failure messages. */
  async dump() {
    try {
      return await this.page.evaluate(() => {
        const col = (id) => {
          const el = document.querySelector(`#col-${id}`);
          const c = (k) => el.querySelector(`[data-counter="${k}"]`).textContent;
          const rows = [...el.querySelectorAll(".timeline li")].slice(-10).map(
            (li) => `    #${li.dataset.seq} ${li.dataset.kind}${li.dataset.decision ? ` [${li.dataset.decision}]` : ""}: ${li.textContent}`,
          );
          return `  ${id}: state=${el.dataset.state} attempt=${el.dataset.attempt} silent=${el.dataset.silent} received=${c("received")} missed=${c("missed")} reconnects=${c("reconnects")}\n${rows.join("\n")}`;
        };
        const v = document.querySelector("#hs-verdict");
        return `page now (newest last):\n${col("raw")}\n${col("redial")}\n${col("resume")}\n  handshake: verified=${v.dataset.verified} “${v.textContent}”\n  echo: ${document.querySelector("#echo-state").textContent} ${document.querySelector("#echo-queued").textContent}`;
      });
    } catch (err) {
      return `(could not read the page: ${err.message})`;
    }
  }

  /** Waits until fn(arg), run in the page, returns something truthy; returns it. */
  async until(what, fn, arg, ms) {
    try {
      const handle = await this.page.waitForFunction(fn, arg, { timeout: ms, polling: 100 });
      return await handle.jsonValue();
    } catch (err) {
      if (!/Timeout/i.test(err.message)) throw err;
      const shot = path.join(this.tmp, `failure-${Date.now()}.png`);
      await this.page.screenshot({ path: shot, fullPage: true }).catch(() => {});
      throw new Error(`timed out after ${ms} ms waiting for ${what}\n${await this.dump()}\n  screenshot: ${shot}`);
    }
  }

  /** The newest timeline row number: rows logged later have a larger data-seq. */
  lastSeq() {
    return this.page.evaluate(() => Math.max(0, ...[...document.querySelectorAll(".timeline li")].map((li) => Number(li.dataset.seq))));
  }

  counter(col, name) {
    return this.page.evaluate(([col, name]) => Number(document.querySelector(`#col-${col} [data-counter="${name}"]`).textContent), [col, name]);
  }

  /** Both columns open, and the handshake verified (or just the redial column). */
  async waitOpen(ms, { raw = false } = {}) {
    await this.until(
      raw ? "both columns open" : "the redial column open",
      (raw) => ["redial", ...(raw ? ["raw"] : [])].every((id) => document.querySelector(`#col-${id}`).dataset.state === "open"),
      raw,
      ms,
    );
    await this.until('the handshake panel to say verified (data-verified="true")', () => {
      const v = document.querySelector("#hs-verdict");
      return v.dataset.verified === "true" && v.textContent.includes("verified");
    }, undefined, 5000);
  }

  /** Presses Reset: heal the server, fresh clients, wait until all is open. */
  async reset() {
    await this.page.click("#reset");
    await this.until(
      "fresh clients after Reset",
      () => ["raw", "redial", "resume"].every((id) => document.querySelector(`#col-${id} .timeline li[data-kind="open"]`)),
      undefined,
      10_000,
    );
    await this.waitOpen(10_000, { raw: true });
    await this.until("the echo socket open after Reset", () => document.querySelector("#echo-state").dataset.state === "open", undefined, 10_000);
  }

  /**
   * Presses a fault button; resolves to the timeline number before it, so
   * waits can look only at what happened after.
   */
  async press(selector) {
    const before = await this.lastSeq();
    await this.page.click(selector);
    await this.until(
      "the fault to show in the timeline",
      (before) => [...document.querySelectorAll("#col-redial .timeline li[data-kind=fault]")].some((li) => Number(li.dataset.seq) > before),
      before,
      2000,
    );
    return before;
  }

  /**
   * The policy's first decision in the redial timeline after row `after`:
   * {decision, code, delayMs, kind, text}. A reconnect decision is complete
   * once it has its delay.
   */
  decisionAfter(after, ms) {
    return this.until(
      "the redial timeline to show what the policy decided",
      (after) => {
        const li = [...document.querySelectorAll("#col-redial .timeline li[data-decision]")].find(
          (li) => Number(li.dataset.seq) > after, // oldest first: the first one after the fault
        );
        if (!li || (li.dataset.decision === "reconnect" && !li.dataset.delayMs)) return null;
        return {
          decision: li.dataset.decision,
          code: li.dataset.code ? Number(li.dataset.code) : null,
          delayMs: li.dataset.delayMs ? Number(li.dataset.delayMs) : null,
          kind: li.dataset.kind,
          text: li.textContent,
        };
      },
      after,
      ms,
    );
  }

  /** Waits for an "open again" row after row `after` and the column open. */
  async reopened(after, ms) {
    await this.until(
      "the redial column to open again",
      (after) =>
        document.querySelector("#col-redial").dataset.state === "open" &&
        [...document.querySelectorAll("#col-redial .timeline li[data-kind=open]")].some((li) => Number(li.dataset.seq) > after),
      after,
      ms,
    );
    await this.waitOpen(1000);
  }

  /**
   * Keeps each case short: the policy resets its attempt counter only after
   * a connection stayed open 5 s, so back-to-back faults grow the backoff
   * (1 s, 2 s, 4 s, 8 s caps). When the last reconnect took more than one
   * attempt, press Reset (as a user would) for a fresh client.
   */
  async freshIfNeeded() {
    const attempt = await this.page.evaluate(() => Number(document.querySelector("#col-redial").dataset.attempt));
    const open = await this.page.evaluate(() => document.querySelector("#col-redial").dataset.state === "open");
    if (attempt >= 2 || !open) await this.reset();
  }

  /**
   * The resume column after a fault pressed after row `after`: it opened
   * again, caught up (missed ticks back to 0, its last tick at least the
   * server's tick at the fault + 5) and every tick it received since its
   * start is there exactly once, in order. Returns
   * {reopens, missed, received, firstGap} for the message.
   */
  async resumeIntact(after, ms) {
    await this.until(
      "the resume column to open again",
      (after) =>
        document.querySelector("#col-resume").dataset.state === "open" &&
        [...document.querySelectorAll("#col-resume .timeline li[data-kind=open]")].some((li) => Number(li.dataset.seq) > after),
      after,
      ms,
    );
    const target = (await this.page.evaluate(() => (window.redialTicks.redial.at(-1) ?? 0))) + 5;
    await this.until(
      "the resume column caught up with missed ticks 0",
      (target) =>
        Number(document.querySelector("#col-resume [data-counter=missed]").textContent) === 0 &&
        (window.redialTicks.resume.at(-1) ?? 0) >= target,
      target,
      15_000,
    );
    return this.page.evaluate(() => {
      const t = window.redialTicks.resume;
      const i = t.findIndex((n, i) => i > 0 && n !== t[i - 1] + 1);
      return { received: t.length, firstGap: i < 0 ? null : `${t[i - 1]} then ${t[i]}`, missed: Number(document.querySelector("#col-resume [data-counter=missed]").textContent) };
    });
  }

  /** The outcome a fault button announces: reconnect | final | undetected. */
  outcome(selector) {
    return this.page.evaluate((s) => document.querySelector(s).dataset.outcome, selector);
  }
}
