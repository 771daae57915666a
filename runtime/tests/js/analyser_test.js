import {
  assert,
  assertClose,
  assertEquals,
  assertThrows,
  test,
} from "./harness.js";

test("AnalyserNode: construction, defaults and options", () => {
  const ctx = new OfflineAudioContext(1, 128, 48000);
  const a = new AnalyserNode(ctx);
  assert(a instanceof AudioNode);
  assertEquals(a.fftSize, 2048);
  assertEquals(a.frequencyBinCount, 1024);
  assertEquals(a.minDecibels, -100);
  assertEquals(a.maxDecibels, -30);
  assertEquals(a.smoothingTimeConstant, 0.8);
  assertEquals(a.channelCount, 2);
  assertEquals(a.channelCountMode, "max");
  assertEquals(a.channelInterpretation, "speakers");
  assertEquals(a.numberOfInputs, 1);
  assertEquals(a.numberOfOutputs, 1);
  const b = new AnalyserNode(ctx, {
    fftSize: 32,
    minDecibels: -90,
    maxDecibels: -10,
    smoothingTimeConstant: 0.25,
    channelCount: 1,
    channelCountMode: "explicit",
    channelInterpretation: "discrete",
  });
  assertEquals(b.fftSize, 32);
  assertEquals(b.frequencyBinCount, 16);
  assertEquals(b.minDecibels, -90);
  assertEquals(b.maxDecibels, -10);
  assertEquals(b.smoothingTimeConstant, 0.25);
  assertEquals(b.channelCount, 1);
  assertEquals(b.channelCountMode, "explicit");
  assertEquals(b.channelInterpretation, "discrete");
  assert(ctx.createAnalyser() instanceof AnalyserNode);
  assertThrows(() => new AnalyserNode(), TypeError);
  assertThrows(() => new AnalyserNode({}), TypeError);
});

test("AnalyserNode: exceptions", () => {
  const ctx = new OfflineAudioContext(1, 128, 48000);
  for (const fftSize of [0, 16, 31, 48, 65536, 1000]) {
    assertThrows(() => new AnalyserNode(ctx, { fftSize }), DOMException, "IndexSizeError");
  }
  assertThrows(() => new AnalyserNode(ctx, { minDecibels: -10, maxDecibels: -20 }), DOMException, "IndexSizeError");
  assertThrows(() => new AnalyserNode(ctx, { minDecibels: -10, maxDecibels: -10 }), DOMException, "IndexSizeError");
  assertThrows(() => new AnalyserNode(ctx, { smoothingTimeConstant: 1.5 }), DOMException, "IndexSizeError");
  assertThrows(() => new AnalyserNode(ctx, { smoothingTimeConstant: -0.1 }), DOMException, "IndexSizeError");
  assertThrows(() => new AnalyserNode(ctx, { smoothingTimeConstant: NaN }), TypeError);
  const a = ctx.createAnalyser();
  for (const v of [0, 16, 100, 65536]) {
    assertThrows(() => (a.fftSize = v), DOMException, "IndexSizeError");
  }
  assertEquals(a.fftSize, 2048);
  for (const v of [32, 64, 32768]) {
    a.fftSize = v;
    assertEquals(a.fftSize, v);
    assertEquals(a.frequencyBinCount, v / 2);
  }
  assertThrows(() => (a.minDecibels = -30), DOMException, "IndexSizeError");
  assertThrows(() => (a.minDecibels = -20), DOMException, "IndexSizeError");
  assertThrows(() => (a.maxDecibels = -100), DOMException, "IndexSizeError");
  assertThrows(() => (a.maxDecibels = -120), DOMException, "IndexSizeError");
  assertThrows(() => (a.maxDecibels = Infinity), TypeError);
  assertEquals(a.minDecibels, -100);
  assertEquals(a.maxDecibels, -30);
  a.maxDecibels = 10;
  a.minDecibels = 0;
  assertEquals(a.minDecibels, 0);
  assertEquals(a.maxDecibels, 10);
  assertThrows(() => (a.smoothingTimeConstant = 2), DOMException, "IndexSizeError");
  a.smoothingTimeConstant = 0;
  assertEquals(a.smoothingTimeConstant, 0);
  assertThrows(() => a.getFloatFrequencyData(new Uint8Array(4)), TypeError);
  assertThrows(() => a.getByteFrequencyData(new Float32Array(4)), TypeError);
  assertThrows(() => a.getFloatTimeDomainData([0, 0]), TypeError);
  assertThrows(() => a.getByteTimeDomainData(null), TypeError);
  assertThrows(() => a.getByteTimeDomainData(), TypeError);
  a.getFloatFrequencyData(new Float32Array(0));
});

const N = 32;
const input = Array.from({ length: 256 }, (_, i) => Math.fround(0.8 * Math.sin(i * 0.9) + 0.1 * Math.cos(i * 2.1)));

function steppedSource(ctx) {
  const s = new ConstantSourceNode(ctx, { offset: 0 });
  for (let i = 0; i < input.length; i++) {
    s.offset.setValueAtTime(input[i], i / ctx.sampleRate);
  }
  s.start();
  return s;
}

async function rendered(options) {
  const ctx = new OfflineAudioContext(1, input.length, 48000);
  const a = new AnalyserNode(ctx, { fftSize: N, ...options });
  steppedSource(ctx).connect(a).connect(ctx.destination);
  const out = await ctx.startRendering();
  return { a, out: out.getChannelData(0) };
}

// The spec's analysis: Blackman window (alpha 0.16), DFT / N, smoothing
// over a previous block of zeros, 20 log10.
function expectedDecibels(frames, tau) {
  const a0 = 0.42, a1 = 0.5, a2 = 0.08;
  const x = frames.map((v, n) =>
    v * (a0 - a1 * Math.cos((2 * Math.PI * n) / N) + a2 * Math.cos((4 * Math.PI * n) / N))
  );
  const out = [];
  for (let k = 0; k < N / 2; k++) {
    let re = 0, im = 0;
    for (let n = 0; n < N; n++) {
      re += x[n] * Math.cos((2 * Math.PI * k * n) / N);
      im -= x[n] * Math.sin((2 * Math.PI * k * n) / N);
    }
    const mag = Math.hypot(re, im) / N;
    out.push(20 * Math.log10((1 - tau) * mag));
  }
  return out;
}

test("AnalyserNode passes its input through and reports the last fftSize frames", async () => {
  const { a, out } = await rendered({});
  for (let i = 0; i < input.length; i++) assertEquals(out[i], input[i], `output ${i}`);
  const last = input.slice(-N);
  const f = new Float32Array(N + 5).fill(7);
  a.getFloatTimeDomainData(f);
  for (let i = 0; i < N; i++) assertEquals(f[i], last[i], `time ${i}`);
  for (let i = N; i < N + 5; i++) assertEquals(f[i], 7, "beyond fftSize untouched");
  const short = new Float32Array(4);
  a.getFloatTimeDomainData(short);
  for (let i = 0; i < 4; i++) assertEquals(short[i], last[i]);
  const b = new Uint8Array(N);
  a.getByteTimeDomainData(b);
  for (let i = 0; i < N; i++) {
    assertEquals(b[i], Math.min(255, Math.max(0, Math.floor(128 * (1 + last[i])))), `byte ${i}`);
  }
});

test("AnalyserNode frequency data follows the spec's formulas", async () => {
  const tau = 0.5;
  const { a } = await rendered({ smoothingTimeConstant: tau, minDecibels: -60, maxDecibels: -5 });
  const expected = expectedDecibels(input.slice(-N), tau);
  const f = new Float32Array(N / 2 + 3).fill(7);
  a.getFloatFrequencyData(f);
  for (let k = 0; k < N / 2; k++) assertClose(f[k], expected[k], 1e-3, `bin ${k}`);
  for (let k = N / 2; k < f.length; k++) assertEquals(f[k], 7, "beyond the bins untouched");
  // Same quantum: the smoothed data is not recomputed by a second call.
  const again = new Float32Array(N / 2);
  a.getFloatFrequencyData(again);
  for (let k = 0; k < N / 2; k++) assertEquals(again[k], f[k]);
  const b = new Uint8Array(N / 2);
  a.getByteFrequencyData(b);
  let checked = 0;
  for (let k = 0; k < N / 2; k++) {
    const v = (255 / (-5 - -60)) * (f[k] - -60);
    // Skip values within rounding distance of an integer boundary.
    if (Math.abs(v - Math.round(v)) < 1e-3) continue;
    assertEquals(b[k], Math.min(255, Math.max(0, Math.floor(v))), `byte bin ${k}`);
    checked++;
  }
  assert(checked > N / 4);
});
