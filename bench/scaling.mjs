// Work that a script sizes: each case at n and 4n, side by side, and the
// ratio of the two times (about 4 for O(n), about 4.5 for O(n log n), 16
// for O(n^2)), then the large sizes of the issue that tracked them.
//
//   webaudio-run bench/scaling.mjs          # everything (a minute or two)
//   webaudio-run bench/scaling.mjs quick    # n vs 4n only
//
// Times are wall-clock milliseconds on whatever machine runs it: compare
// the ratios, and the large cases against each other, not across machines.

const quick = WebAudioRun.args.includes("quick");

function time(fn) {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

async function timeAsync(fn) {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const ctx = () => new OfflineAudioContext(1, 128, 48000);

/** createPeriodicWave with n coefficients, then the oscillator's tables. */
function periodicWave(n) {
  const real = new Float32Array(n);
  const imag = new Float32Array(n);
  for (let i = 1; i < n; i++) imag[i] = 1 / i;
  const c = ctx();
  return time(() => {
    const wave = c.createPeriodicWave(real, imag);
    c.createOscillator().setPeriodicWave(wave);
  });
}

/** setValueCurveAtTime with an n-element Float32Array. */
function valueCurve(n) {
  const curve = new Float32Array(n);
  for (let i = 0; i < n; i++) curve[i] = i / n;
  const c = ctx();
  const gain = c.createGain();
  return time(() => gain.gain.setValueCurveAtTime(curve, 0, 1));
}

/** The same curve as a plain array. */
function valueCurveArray(n) {
  const curve = [];
  for (let i = 0; i < n; i++) curve[i] = i / n;
  const c = ctx();
  const gain = c.createGain();
  return time(() => gain.gain.setValueCurveAtTime(curve, 0, 1));
}

/** n setValueAtTime calls in reverse time order, then one quantum rendered. */
async function reverseEvents(n) {
  const c = ctx();
  const src = c.createConstantSource();
  src.connect(c.destination);
  src.start();
  return await timeAsync(async () => {
    for (let i = n; i > 0; i--) src.offset.setValueAtTime(i, i / 1000);
    await c.startRendering();
  });
}

/** n GainNodes connected into the destination, then one quantum rendered. */
async function fanIn(n) {
  const c = ctx();
  const gains = [];
  for (let i = 0; i < n; i++) gains.push(c.createGain());
  return await timeAsync(async () => {
    for (const g of gains) g.connect(c.destination);
    await c.startRendering();
  });
}

/**
 * n GainNodes connected into one, one batch per connect (the flush that
 * ends each batch runs as a microtask, before the `await` resumes).
 */
async function fanInTasks(n) {
  const c = new AudioContext({ sinkId: { type: "none" } });
  const bus = c.createGain();
  const gains = [];
  for (let i = 0; i < n; i++) gains.push(c.createGain());
  const ms = await timeAsync(async () => {
    for (const g of gains) {
      g.connect(bus);
      await null;
    }
  });
  await c.close();
  return ms;
}

const cases = [
  ["createPeriodicWave + setPeriodicWave", periodicWave, 40_000],
  ["setValueCurveAtTime, Float32Array", valueCurve, 1_000_000],
  ["setValueCurveAtTime, plain array", valueCurveArray, 100_000],
  ["setValueAtTime x n, reverse order", reverseEvents, 10_000],
  ["connect n gains into the destination", fanIn, 2_000],
  ["connect n gains, one batch each", fanInTasks, 2_000],
];

console.log("case".padEnd(42), "n".padStart(9), "ms(n)".padStart(9), "ms(4n)".padStart(9), "ratio".padStart(6));
for (const [name, fn, n] of cases) {
  await fn(n / 4); // warm-up
  const a = await fn(n);
  const b = await fn(4 * n);
  console.log(
    name.padEnd(42),
    String(n).padStart(9),
    a.toFixed(1).padStart(9),
    b.toFixed(1).padStart(9),
    (b / a).toFixed(2).padStart(6),
  );
}

if (!quick) {
  console.log("\nlarge sizes");
  const large = [
    ["createPeriodicWave, 640 000 coefficients", () => periodicWave(640_000)],
    ["createPeriodicWave, 10 000 000 coefficients", () => periodicWave(10_000_000)],
    ["setValueCurveAtTime, 10^8 Float32Array", () => valueCurve(100_000_000)],
    ["setValueAtTime x 100 000, reverse order", () => reverseEvents(100_000)],
    ["16 000 gains into the destination", () => fanIn(16_000)],
  ];
  for (const [name, fn] of large) {
    console.log(name.padEnd(48), `${(await fn()).toFixed(0)} ms`.padStart(10));
  }
}
