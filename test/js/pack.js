// The npm package as users get it: `npm pack` (which builds, see
// scripts/prepack.sh) and the tarball unpacked into an app's node_modules.
import { execFile } from "node:child_process";
import { mkdir, rm, rmdir, stat, writeFile, readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

import { root } from "./helpers.js";

const run = promisify(execFile);

// npm pack swaps the root README (scripts/prepack.sh, postpack.sh): two
// packs at once (test files run in parallel) must take turns.
const lock = path.join(root, ".cache/pack.lock");

async function takeLock(deadlineMs) {
  await mkdir(path.dirname(lock), { recursive: true });
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(path.join(lock, "pid"), String(process.pid));
      return;
    } catch (err) {
      if (err.code !== "EEXIST") throw err;
    }
    // A lock whose holder is gone is stale.
    const pid = Number(await readFile(path.join(lock, "pid"), "utf8").catch(() => "0"));
    let alive = pid > 0;
    try {
      if (alive) process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive && (await stat(lock).then((s) => Date.now() - s.mtimeMs > 2000, () => false))) {
      await rm(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${lock} (another npm pack)`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** npm pack into dir; resolves to {tarball, files, ms}: its path, its file list, the time taken. */
export async function pack(dir, npmEnv) {
  await mkdir(dir, { recursive: true });
  await takeLock(120_000);
  const t0 = performance.now();
  try {
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", dir], { cwd: root, env: npmEnv, maxBuffer: 16 << 20 });
    const [info] = JSON.parse(stdout);
    return { tarball: path.join(dir, info.filename), files: info.files.map((f) => f.path).sort(), ms: performance.now() - t0 };
  } finally {
    await rm(path.join(lock, "pid"), { force: true });
    await rmdir(lock);
  }
}

/** Unpacks the tarball as node_modules/redial-ws of app (what npm install does with a package that has no dependencies). */
export async function unpack(tarball, app) {
  const dest = path.join(app, "node_modules", "redial-ws");
  await rm(dest, { recursive: true, force: true });
  await mkdir(dest, { recursive: true });
  await run("tar", ["-xzf", tarball, "-C", dest, "--strip-components=1"]);
  return dest;
}

/** An environment for npm that keeps its cache in dir and stays quiet. */
export function npmEnv(dir) {
  return { ...process.env, npm_config_cache: path.join(dir, "npm-cache"), npm_config_update_notifier: "false", npm_config_fund: "false" };
}
