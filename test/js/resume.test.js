// Resume mode as a page sees it: new RedialSocket(url, protocols, {resume:
// true}) against the testserver's /resume/echo (Go's server package): 2,000
// numbered messages echoed while the server drops the connection 100 times
// (0 lost, 0 duplicated, in order, counted in the page and by the handler),
// and a session the server lost: a final close event with code 4504.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";

import { control, newPage, setup, closeLeftover } from "./helpers.js";

let env;
let page;
let context;

before(async () => {
  env = await setup();
  ({ page, context } = await newPage(env));
});
afterEach(async () => {
  await closeLeftover(page); // every test leaves its socket closed for good
  await control(env, "/restart");
  await control(env, "/reset");
});
after(async () => {
  await context?.close();
  await env?.close();
});

const OPTS = { resume: true, minDelayMs: 20, maxDelayMs: 60 };

describe("resume", { timeout: 120_000 }, () => {
  test("2,000 messages echoed across 100 drops: 0 lost, 0 duplicated, in order", async () => {
    const res = await page.evaluate(
      async ({ url, ctrl, opts }) => {
        const n = 2000,
          cuts = 100,
          window_ = 32,
          step = Math.floor((n * 9) / 10 / cuts);
        const s = (window.s = new window.redial.RedialSocket(url, undefined, opts));
        window.rec = lib.record(s);
        let got = 0,
          bad = "",
          opens = 0,
          sent = 0,
          allowed = step + window_;
        let wake = () => {};
        const kick = () => {
          const w = wake;
          wake = () => {};
          w();
        };
        const until = (pred, what, ms = 20_000) =>
          new Promise((resolve, reject) => {
            const t = setTimeout(() => reject(new Error(`timed out: ${what} (got ${got}, opens ${opens})`)), ms);
            const check = () => {
              if (pred()) {
                clearTimeout(t);
                resolve();
              } else wake = check;
            };
            check();
          });
        s.addEventListener("open", () => {
          opens++;
          pump();
          kick();
        });
        s.addEventListener("message", (e) => {
          if (e.data !== "c" + got && !bad) bad = `echo ${JSON.stringify(e.data)}, want c${got}`;
          got++;
          pump();
          kick();
        });
        // The page's writer: at most window_ ahead of the echoes and of the next cut.
        function pump() {
          while (sent < n && sent - got < window_ && sent < allowed && s.readyState === 1) {
            s.send("c" + sent++);
          }
        }
        await until(() => opens > 0, "first open");
        for (let i = 0; i < cuts; i++) {
          await until(() => got >= (i + 1) * step && opens > i && s.readyState === 1, `cut ${i}`);
          const r = await fetch(ctrl + "/drop");
          if (!r.ok) throw new Error("drop: " + r.status);
          allowed = (i + 2) * step + window_;
        }
        allowed = n;
        await until(() => opens > cuts, "open after the last cut");
        pump();
        await until(() => got >= n, "every echo");
        const stats = await (await fetch(ctrl + "/resumestats")).json();
        return { got, bad, opens, stats };
      },
      { url: env.ws + "/resume/echo", ctrl: env.control, opts: OPTS },
    );
    assert.equal(res.bad, "");
    assert.equal(res.got, 2000);
    assert.ok(res.opens >= 101, `opens ${res.opens}`);
    assert.deepEqual(
      { sessions: res.stats.Sessions, got: res.stats.Got, violations: res.stats.Violations },
      { sessions: 1, got: 2000, violations: 0 },
    );
  });

  test("a session the server lost: a final close event with code 4504", async () => {
    await page.evaluate(
      async ({ url, opts }) => {
        window.s = new window.redial.RedialSocket(url, undefined, opts);
        window.rec = lib.record(window.s);
        await window.rec.waitType("open");
      },
      { url: env.ws + "/resume/echo", opts: OPTS },
    );
    await control(env, "/resume/restart");
    const close = await page.evaluate(async () => {
      const e = await rec.waitFor((e) => e.type === "close" && e.willReconnect === false, { what: "final close" });
      return { code: e.code, willReconnect: e.willReconnect, readyState: s.readyState };
    });
    assert.deepEqual(close, { code: 4504, willReconnect: false, readyState: 3 });
  });

  test("resume must be a boolean", async () => {
    const msg = await page.evaluate(() => {
      try {
        new window.redial.RedialSocket("ws://127.0.0.1:1/", undefined, { resume: "yes" });
        return "no error";
      } catch (err) {
        return `${err.name}: ${err.message}`;
      }
    });
    assert.match(msg, /^TypeError: .*resume must be a boolean, not "yes"$/);
  });
});
