// Message throughput of RedialSocket against a raw WebSocket on the same
// page and server: echo with a window of messages in flight, rounds
// alternating so background load hits both alike; medians compared.
//
// The target is 0.8×. The assertion is only a floor that catches a broken
// hot path (a per-message timer, a quadratic queue); set REDIAL_PERF_MIN to
// enforce more on a quiet machine.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { newPage, setup } from "./helpers.js";

const FLOOR = Number(process.env.REDIAL_PERF_MIN ?? 0.3);

let env;
let page;

before(async () => {
  env = await setup();
  ({ page } = await newPage(env));
});
after(async () => {
  await env?.close();
});

async function measure(binary) {
  return page.evaluate(
    async ({ url, binary }) => {
      const N = 2000;
      const W = 64;
      const ROUNDS = 4;
      const once = (Ctor) =>
        new Promise((resolve, reject) => {
          const ws = new Ctor(url);
          ws.binaryType = "arraybuffer";
          const msg = binary ? new Uint8Array(64).fill(7) : "x".repeat(64);
          let sent = 0;
          let got = 0;
          let t0 = 0;
          const timer = setTimeout(() => reject(new Error(`${Ctor.name}: ${got}/${N} echoes after 60 s`)), 60_000);
          const pump = () => {
            while (sent < N && sent - got < W) {
              ws.send(msg);
              sent++;
            }
          };
          ws.onopen = () => {
            t0 = performance.now();
            pump();
          };
          ws.onmessage = () => {
            if (++got < N) return pump();
            const rate = (N / (performance.now() - t0)) * 1000;
            clearTimeout(timer);
            ws.onclose = () => resolve(rate);
            ws.close();
          };
          ws.onerror = () => reject(new Error(`${Ctor.name}: error event`));
        });
      const raw = [];
      const redial = [];
      for (let i = 0; i < ROUNDS; i++) {
        raw.push(await once(WebSocket));
        redial.push(await once(window.redial.RedialSocket));
      }
      const median = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
      return { raw: median(raw), redial: median(redial) };
    },
    { url: env.ws + "/echo", binary },
  );
}

describe("throughput", { timeout: 300_000 }, () => {
  for (const binary of [false, true]) {
    test(`echo of 64-byte ${binary ? "binary" : "text"} messages`, async (t) => {
      const r = await measure(binary);
      const ratio = r.redial / r.raw;
      t.diagnostic(
        `raw ${r.raw.toFixed(0)} msg/s, redial ${r.redial.toFixed(0)} msg/s: ${ratio.toFixed(2)}× (target 0.8×, floor ${FLOOR}×)`,
      );
      assert.ok(ratio >= FLOOR, `throughput ${ratio.toFixed(2)}× of a raw WebSocket, below the floor ${FLOOR}×`);
    });
  }
});
