// What finished offline contexts cost: N renders one after another (each a
// new OfflineAudioContext, an oscillator through a gain, 0.1 s at 44.1 kHz,
// its result and context dropped), printing the process's threads and RSS
// every 100 renders and, at the end, the CPU time the process used while it
// sleeps for a second with every context finished.
//
//   webaudio-run --allow-read=/proc/self bench/offline_renders.mjs [N]
//
// (Linux: reads /proc/self/status and /proc/self/stat.) N defaults to 600.

const total = Number(WebAudioRun.args[0] ?? 600);

async function status() {
  const text = await (await fetch("file:///proc/self/status")).text();
  const field = (name) => Number(text.match(new RegExp(`${name}:\\s+(\\d+)`))[1]);
  return { threads: field("Threads"), rssMiB: field("VmRSS") / 1024 };
}

/** User + system CPU time of the process, in clock ticks (1/100 s). */
async function cpuTicks() {
  const stat = await (await fetch("file:///proc/self/stat")).text();
  // Fields after the command name (which may hold spaces) start at ") ".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

async function render() {
  const ctx = new OfflineAudioContext(1, 4410, 44100);
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.connect(gain).connect(ctx.destination);
  osc.start();
  await ctx.startRendering();
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const row = (label, s, ms) =>
  console.log(
    label.padEnd(14),
    `threads ${String(s.threads).padStart(4)}`,
    `RSS ${s.rssMiB.toFixed(1).padStart(7)} MiB`,
    ms === undefined ? "" : `last 100: ${ms.toFixed(0)} ms`,
  );

row("start", await status());
let t = performance.now();
for (let i = 1; i <= total; i++) {
  await render();
  if (i % 100 === 0) {
    const now = performance.now();
    row(`${i} renders`, await status(), now - t);
    t = now;
  }
}
const before = await cpuTicks();
await sleep(1000);
const idle = (await cpuTicks()) - before;
console.log(`CPU while idle for 1 s with ${total} finished contexts: ${idle * 10} ms`);
