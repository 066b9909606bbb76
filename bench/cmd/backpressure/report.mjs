// Writes 60-backpressure.md and .targets.tsv from the driver's JSON.
// Usage: node bench/cmd/backpressure/report.mjs IN.json OUT.md OUT.targets.tsv COMMAND
import { readFileSync, writeFileSync } from "node:fs";

const [inPath, mdPath, tsvPath, command] = process.argv.slice(2);
const runs = JSON.parse(readFileSync(inPath, "utf8"));
const MiB = (b) => (b / (1 << 20)).toFixed(1);
const at = (r, t) => r.samples.find((s) => s.t === t) ?? r.samples[r.samples.length - 1];
const last = (r) => r.samples[r.samples.length - 1].t;
const grow = (r) => at(r, last(r)).renderer - r.samples[0].renderer;
const byName = Object.fromEntries(runs.map((r) => [r.name, r]));
const goWS = byName["Go sdk Read over WebSocket"];
const goStream = byName["Go sdk Read over WebSocketStream"];
const T = last(runs[0]);

const lines = [
  "## Read backpressure in the browser (a slow page, a fast server)",
  "",
  "```",
  command,
  "```",
  "",
  `A loopback Go server offers 10,000 msg/s of 1 KiB binary to each page for ${T} s; each page (its own headless Chromium, all run at once) consumes 100 msg/s. ` +
    "Memory is the summed VmRSS of the Chromium's renderer processes (/proc: the page's process, where messages received and not yet handled wait; JS-heap figures miss ArrayBuffers and the wasm memory), " +
    "\"all\" the summed VmRSS of every process of that Chromium (network service included). \"Sent\" is what the server's writes completed: with backpressure they block.",
  "",
  "| consumer | renderer growth 1→" + T + " s (MiB) | server sent (MiB) | ratio of sent to WebSocketStream's |",
  "|---|---:|---:|---:|",
];
for (const r of runs) {
  lines.push(`| ${r.name} | ${MiB(grow(r))} | ${MiB(r.sent)} | ${(r.sent / goStream.sent).toFixed(1)}× |`);
}
lines.push("", "Raw figures:", "", "| consumer | renderer 10 s | 30 s | " + T + " s (MiB) | all processes " + T + " s (MiB) | server sent (MiB) | messages handled |", "|---|---:|---:|---:|---:|---:|---:|");
for (const r of runs) {
  lines.push(
    `| ${r.name} | ${MiB(at(r, 10).renderer)} | ${MiB(at(r, 30).renderer)} | ${MiB(at(r, T).renderer)} | ${MiB(at(r, T).all)} | ${MiB(r.sent)} | ${r.handled < 0 ? "page unresponsive" : r.handled} |`,
  );
}
lines.push(
  "",
  "Reading it:",
  "",
  "- *blocking*: onmessage takes 10 ms, so the page's thread is never free; Chromium's WebSocket reads from the network only as it dispatches events, so even a raw WebSocket holds the server back here. RedialSocket's shim dispatches a batch inside one call from Go, so either transport behaves the same.",
  "- *queued*: the page's thread is mostly free (onmessage only queues; a timer handles 100/s), as with an app that renders per frame or awaits I/O: Chromium's WebSocket then takes everything the server sends and the tab grows without bound. That is every WebSocket-based peer (they add handlers on top of WebSocket).",
  "- *Go sdk Read*: a Go program in wasm Reading one message per 10 ms. Over WebSocket the SDK's transport must take what the browser hands over (WebSocket has no way to say \"not yet\"), so its inbox grows as the queued page's does. Over WebSocketStream (`sdk.Options.WebSocketStream`, the shim's `webSocketStream: true`) it reads from the stream only as Read consumes (16 messages / 256 KiB of credit): the server's writes block, the tab stays flat.",
  "- The shim's onmessage cannot push back for a queued (asynchronous) handler on either transport: the page says nothing about when it has handled a message. It pushes back for a blocking one on both.",
  "- WebSocketStream stays opt-in: Chromium drops the messages it received and had not yet handed to the stream when the server closes or the connection drops (the conformance suite's server-close scenarios lose the unread tail), and its renderer crashed (SIGSEGV) in 3 of 4 runs of a drop-while-writing scenario (TestConcurrentUse). See the report of issue 13 item 6.",
  "- The six Chromiums share this machine's 2 cores (with the blocking pages busy-waiting): absolute MiB are noisy; the growth and the bytes sent are the point.",
  "",
  "![page memory](60-backpressure.svg)",
  "",
);
writeFileSync(mdPath, lines.join("\n"));
const met = grow(goStream) < 32 << 20 && goStream.sent * 4 < goWS.sent;
writeFileSync(
  tsvPath,
  `slow consumer: page memory bounded with WebSocketStream\t` +
    `Go Read at 100 msg/s vs 10k msg/s offered, ${T} s: renderer ${grow(goStream) >= 0 ? "+" : ""}${MiB(grow(goStream))} MiB, server sent ${MiB(goStream.sent)} MiB (WebSocket: ${grow(goWS) >= 0 ? "+" : ""}${MiB(grow(goWS))} MiB, ${MiB(goWS.sent)} MiB)\t` +
    `${met ? "met" : "missed"}\t` +
    `opt-in (Options.WebSocketStream): Chromium loses the unread tail at a server close and crashed in a drop-while-writing test, so WebSocket stays the default\n`,
);
