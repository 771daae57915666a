// The cost of making nodes, as a function of how many exist:
//
//   for part in memory batches churn; do
//     webaudio-run --allow-read=/proc/self/statm bench/nodes.mjs $part
//   done
//
// (Linux: reads /proc/self/statm.) Each part is best run in a fresh
// process: memory freed by one part stays in the process and blurs the next
// part's RSS. With no argument, all three run in one process.
//
// 1. Memory per live GainNode: RSS growth over 20 000 more live nodes (in a
//    realtime context without a sound card).
// 2. 100 000 GainNodes kept alive, made in batches of 1000: the time of the
//    first and last batches and their ratio (cost per node must not grow
//    with the number of live nodes).
// 3. 1 000 000 nodes made and dropped on a realtime context without a sound
//    card, 1000 per task (half in a cycle with an `onended` closure, which
//    only a full collection frees), no `gc()`: RSS after each 100 000, and
//    the collections the runtime requested.
const PAGE = 4096;

async function rss() {
  const statm = await (await fetch("file:///proc/self/statm")).text();
  return Number(statm.split(" ")[1]) * PAGE;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const parts = WebAudioRun.args.length > 0 ? WebAudioRun.args : ["memory", "batches", "churn"];
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

// --- 1. memory per live node (first, on memory never used before) ----------
if (parts.includes("memory")) {
  const ctx = new AudioContext({ sinkId: { type: "none" } });
  const keep = [];
  for (let i = 0; i < 1000; i++) keep.push(new GainNode(ctx));
  await sleep(100);
  const n = 20000;
  const before = await rss();
  for (let i = 0; i < n; i++) keep.push(new GainNode(ctx));
  await sleep(100);
  const after = await rss();
  console.log(
    "memory per live GainNode (RSS growth)".padEnd(44),
    `${((after - before) / n / 1024).toFixed(2)} KB (${n} nodes: ${mb(after - before)})`,
  );
  keep.length = 0;
  await ctx.close();
}
await sleep(100);

// --- 2. batches ------------------------------------------------------------
if (parts.includes("batches")) {
  const ctx = new OfflineAudioContext(1, 128, 48000);
  const keep = [];
  const times = [];
  for (let batch = 0; batch < 100; batch++) {
    const t = performance.now();
    for (let i = 0; i < 1000; i++) keep.push(new GainNode(ctx, { gain: i }));
    times.push(performance.now() - t);
  }
  // The first batches pay for warm-up (lazy script loading, JIT-less caches):
  // compare medians of the first and last five.
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const first = median(times.slice(0, 5));
  const last = median(times.slice(-5));
  console.log(
    "100 000 live GainNodes, batches of 1000".padEnd(44),
    `first ${first.toFixed(1)} ms, last ${last.toFixed(1)} ms, last/first ${(last / first).toFixed(2)}`,
  );
  // Block-scoped variables of a module's top level outlive their block.
  keep.length = 0;
}

await sleep(100);

// --- 3. a million nodes made and dropped -------------------------------------
if (parts.includes("churn")) {
  // Realtime: an offline context applies graph changes (releases included)
  // only once it renders.
  const ctx = new AudioContext({ sinkId: { type: "none" } });
  const samples = [];
  const start = WebAudioRun.handleStats();
  const t = performance.now();
  for (let task = 1; task <= 1000; task++) {
    for (let i = 0; i < 500; i++) {
      const src = new ConstantSourceNode(ctx);
      src.onended = () => src.disconnect(); // a cycle: src -> listener -> src
      new GainNode(ctx);
    }
    await sleep(0);
    if (task % 100 === 0) samples.push(await rss());
  }
  const seconds = (performance.now() - t) / 1000;
  const stats = WebAudioRun.handleStats();
  const collections = stats.collections - start.collections;
  const collectionMs = stats.collectionMs - start.collectionMs;
  console.log(
    "1 000 000 nodes made and dropped".padEnd(44),
    `RSS after each 100 000: ${samples.map((s) => (s / 2 ** 20).toFixed(0)).join(" ")} MB`,
  );
  console.log(
    "".padEnd(44),
    `last/first ${(samples[9] / samples[0]).toFixed(2)}, ${seconds.toFixed(1)} s, ` +
      `${collections} collections requested (${collectionMs.toFixed(0)} ms, ` +
      `${((100 * collectionMs) / (seconds * 1000)).toFixed(1)} % of the time)`,
  );
  await ctx.close();
}
