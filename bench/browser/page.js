// The measurements, run inside the benchmark page (served as /b/page.js).
// Every client gets the same work: text messages of `size` bytes to an echo
// endpoint. Times come from performance.now() (5 µs resolution: the page is
// cross-origin isolated).

const MAKERS = {
  raw: (url) => new WebSocket(url),
  redial: (url) => new window.redial.RedialSocket(url),
  // The send queue holds what the server has not acknowledged; it acks every
  // 64 messages (or after 50 ms): at 64 KiB that is 4 MiB, over the default
  // 1 MiB maxQueuedBytes, which then bounds a pipelined writer to ~20 MB/s
  // (1 MiB per 50 ms ack delay) and makes send() throw. 16 MiB lets it flow.
  "redial-resume": (url) => new window.redial.RedialSocket(url, undefined, { resume: true, maxQueuedBytes: 16 << 20 }),
  rws: (url) => new window.peers.ReconnectingWebSocket(url),
  partysocket: (url) => new window.peers.PartySocket(url),
};

function opened(ws, what) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: no open after 10 s`)), 10_000);
    ws.addEventListener("open", () => (clearTimeout(t), resolve()), { once: true });
  });
}

function closed(ws) {
  return new Promise((resolve) => {
    if (ws.readyState === 3) return resolve();
    const t = setTimeout(resolve, 2000); // a peer that never reports its close
    ws.addEventListener("close", () => (clearTimeout(t), resolve()), { once: true });
    ws.close();
  });
}

// N lone round trips: send one, wait for its echo, again. Returns each in ms.
async function rttJS(make, url, size, n, what) {
  const ws = make(url);
  await opened(ws, what);
  const msg = "x".repeat(size);
  const out = [];
  let resolveOne;
  ws.addEventListener("message", () => resolveOne());
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise((r) => {
      resolveOne = r;
      ws.send(msg);
    });
    out.push(performance.now() - t0);
  }
  await closed(ws);
  return out;
}

// n messages pipelined, at most w awaiting their echo. Returns total ms.
async function tputJS(make, url, size, n, w, what) {
  const ws = make(url);
  await opened(ws, what);
  const msg = "x".repeat(size);
  const ms = await new Promise((resolve, reject) => {
    let sent = 0;
    let got = 0;
    const timer = setTimeout(() => reject(new Error(`${what}: ${got}/${n} echoes after 60 s`)), 60_000);
    const pump = () => {
      while (sent < n && sent - got < w) {
        ws.send(msg);
        sent++;
      }
    };
    const t0 = performance.now();
    ws.addEventListener("message", () => {
      if (++got < n) return pump();
      clearTimeout(timer);
      resolve(performance.now() - t0);
    });
    pump();
  });
  await closed(ws);
  return ms;
}

let goReady;

// The Go program (bench/browser/gowasm), started once; each call is one
// measurement in it.
async function runGo(args) {
  goReady ??= (async () => {
    const go = new window.Go();
    const { instance } = await WebAssembly.instantiateStreaming(fetch("/b/gowasm.wasm"), go.importObject);
    go.run(instance); // runs until main blocks, having set __goBench
    if (typeof globalThis.__goBench !== "function") throw new Error("go wasm did not start");
  })();
  await goReady;
  const res = JSON.parse(await globalThis.__goBench(...args.map(String)));
  if (res.error) throw new Error(`go wasm: ${res.error}`);
  return res;
}

/** One RTT series: {client, url, size, n} → ms[]. */
export async function rtt({ client, url, size, n }) {
  if (client === "go-wasm") return (await runGo([url, "rtt", size, n])).ms;
  return rttJS(MAKERS[client], url, size, n, client);
}

/** One throughput run: {client, url, size, n, w} → total ms. */
export async function tput({ client, url, size, n, w }) {
  if (client === "go-wasm") return (await runGo([url, "tput", size, n, w])).ms;
  return tputJS(MAKERS[client], url, size, n, w, client);
}

/**
 * Reconnect latency at each client's defaults: count sockets per client,
 * all open for longer than the peers' minUptime (5 s, below which they keep
 * growing their delay), then one fault for all (faultURL: the testserver's
 * /drop or /stopfor?ms=500). Each socket's latency is from its close event
 * to its next open. reconnecting-websocket draws its default delay
 * (1–5 s) once per module instance, i.e. once per page load: each of its
 * sockets here comes from its own instance (peers.js?i=k), as if from its
 * own page.
 */
export async function reconnect({ url, faultURL, count, clients, uptimeMs }) {
  const socks = [];
  for (const client of clients) {
    for (let k = 0; k < count; k++) {
      let ws;
      if (client === "rws") {
        const mod = await import(`/b/peers.js?i=${k}`);
        ws = new mod.ReconnectingWebSocket(url);
      } else ws = MAKERS[client](url);
      socks.push({ client, ws, closedAt: 0, reopenedAt: 0, open: opened(ws, client) });
    }
  }
  await Promise.all(socks.map((s) => s.open));
  await new Promise((r) => setTimeout(r, uptimeMs));
  const done = Promise.all(
    socks.map(
      (s) =>
        new Promise((resolve) => {
          s.ws.addEventListener("close", () => (s.closedAt ||= performance.now()));
          s.ws.addEventListener("open", () => {
            if (!s.closedAt || s.reopenedAt) return;
            s.reopenedAt = performance.now();
            resolve();
          });
        }),
    ),
  );
  const res = await fetch(faultURL);
  if (!res.ok) throw new Error(`${faultURL}: HTTP ${res.status}`);
  let timer;
  await Promise.race([done, new Promise((r) => (timer = setTimeout(r, 20_000)))]);
  clearTimeout(timer);
  const out = {};
  for (const s of socks) {
    (out[s.client] ??= []).push(s.reopenedAt ? s.reopenedAt - s.closedAt : null);
  }
  await Promise.all(socks.map((s) => closed(s.ws)));
  return out;
}
