// The tiny app each bundler builds (test/bundlers/<tool>/main.js imports it
// and hands over the package and the wasm's URL as that tool gives it). It
// loads redial, connects to the ?ws= server, echoes one message per
// connection and logs every event to window.redialLog, which
// test/js/bundlers.test.js reads.
export async function run(redial, wasm) {
  const log = (window.redialLog = []);
  try {
    await redial.load(wasm);
    const ws = new URL(location.href).searchParams.get("ws");
    const socket = new redial.RedialSocket(ws, [], { minDelayMs: 50, maxDelayMs: 200 });
    let opens = 0;
    socket.onopen = () => {
      log.push(`open ${++opens}`);
      socket.send(`hello ${opens}`);
    };
    socket.onmessage = (e) => log.push(`message ${e.data}`);
    socket.onclose = (e) => log.push(`close ${e.code} ${e.willReconnect}`);
    window.redialSocket = socket;
  } catch (err) {
    log.push(`failed ${err.message}`);
  }
}
