// Records the reference numbers: bundles the scenarios (build.mjs), serves
// them from 127.0.0.1 and runs each in a fresh headless Chromium (Debian's
// `chromium` package), which posts the scenario's result back here. The
// results go into expectations.json under "chromium"; tolerances, `exact`
// keys and notes already there are kept.
//
//   node record.mjs                 # every scenario
//   node record.mjs tone-synth ...  # only these
//   CHROMIUM=/path/to/chromium node record.mjs
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const chromium = process.env.CHROMIUM ?? "chromium";
const timeoutMs = 60_000;
const defaults = { tolerance: { rel: 1e-4, abs: 1e-6 } };

const build = spawnSync(process.execPath, [join(here, "build.mjs")], { stdio: "inherit" });
if (build.status !== 0) process.exit(1);

const all = readdirSync(join(here, "dist")).filter((f) => f.endsWith(".js")).map((f) => f.slice(0, -3)).sort();
const wanted = process.argv.slice(2);
for (const name of wanted) if (!all.includes(name)) throw new Error(`no scenario named ${name}`);
const names = wanted.length ? wanted : all;

let pending = null; // { resolve } for the scenario now running
const server = createServer((req, res) => {
  if (req.method === "POST") {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      res.end("ok");
      pending?.resolve({ kind: req.url === "/result" ? "result" : "error", body });
    });
    return;
  }
  const page = req.url.match(/^\/run\/([\w-]+)$/);
  if (page) {
    res.setHeader("content-type", "text/html");
    res.end(`<!doctype html><meta charset="utf-8"><title>${page[1]}</title><script type="module" src="/dist/${page[1]}.js"></script>`);
    return;
  }
  const file = req.url.match(/^\/dist\/([\w-]+\.js)$/);
  if (file && existsSync(join(here, "dist", file[1]))) {
    res.setHeader("content-type", "text/javascript");
    res.end(readFileSync(join(here, "dist", file[1])));
    return;
  }
  res.statusCode = 404;
  res.end();
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

async function runInChromium(name) {
  const profile = mkdtempSync(join(tmpdir(), "webaudio-libs-chromium-"));
  const args = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    `--user-data-dir=${profile}`, `${origin}/run/${name}`,
  ];
  // Its own process group, so that the browser's helper processes end with it.
  const browser = spawn(chromium, args, { stdio: ["ignore", "ignore", "pipe"], detached: true });
  let stderr = "";
  browser.stderr.on("data", (chunk) => (stderr += chunk));
  const outcome = await new Promise((resolve) => {
    pending = { resolve };
    const timer = setTimeout(() => resolve({ kind: "error", body: `timed out after ${timeoutMs} ms` }), timeoutMs);
    browser.on("exit", (code) => resolve({ kind: "error", body: `chromium exited with ${code}: ${stderr}` }));
    pending.resolve = (value) => { clearTimeout(timer); resolve(value); };
  });
  pending = null;
  const exited = new Promise((resolve) => (browser.exitCode !== null ? resolve() : browser.on("exit", resolve)));
  try {
    process.kill(-browser.pid, "SIGKILL");
  } catch {
    // already gone
  }
  await exited;
  rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  return outcome;
}

const version = spawnSync(chromium, ["--version"], { encoding: "utf8" }).stdout.trim();
const path = join(here, "expectations.json");
const expectations = existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : { scenarios: {} };
expectations.recordedWith = version;
let failed = 0;
for (const name of names) {
  const outcome = await runInChromium(name);
  if (outcome.kind !== "result") {
    console.log(`FAIL ${name}: ${outcome.body}`);
    failed++;
    continue;
  }
  const { scenario: _name, ...result } = JSON.parse(outcome.body);
  const entry = expectations.scenarios[name] ?? { ...defaults };
  entry.chromium = result;
  expectations.scenarios[name] = entry;
  console.log(`ok   ${name}: length ${result.length}, rms ${JSON.stringify(result.rms ?? result.steadyRms)}`);
}
server.close();
const sorted = Object.fromEntries(Object.keys(expectations.scenarios).sort().map((k) => [k, expectations.scenarios[k]]));
writeFileSync(path, JSON.stringify({ recordedWith: expectations.recordedWith, scenarios: sorted }, null, 2) + "\n");
console.log(`recorded ${names.length - failed} of ${names.length} scenarios with ${version} into expectations.json`);
process.exit(failed ? 1 : 0);
