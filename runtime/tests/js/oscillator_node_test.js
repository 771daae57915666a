import { assert, assertEquals, assertThrows, render, test } from "./harness.js";

const SR = 48000;

function maxError(actual, expected) {
  let e = 0;
  for (let i = 0; i < actual.length; i++) e = Math.max(e, Math.abs(actual[i] - expected(i)));
  return e;
}

test("OscillatorNode defaults, options and attributes", () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  const o = new OscillatorNode(ctx);
  assertEquals(o.type, "sine");
  assertEquals(o.frequency.value, 440);
  assertEquals(o.frequency.defaultValue, 440);
  assertEquals(o.frequency.maxValue, SR / 2);
  assertEquals(o.frequency.minValue, -SR / 2);
  assertEquals(o.detune.value, 0);
  assertEquals(o.detune.maxValue, 153600);
  assertEquals(o.detune.minValue, -153600);
  assertEquals(o.numberOfInputs, 0);
  assertEquals(o.numberOfOutputs, 1);
  assert(o.frequency === o.frequency && o.detune === o.detune, "[SameObject]");
  assert(o instanceof AudioScheduledSourceNode);
  const p = new OscillatorNode(ctx, { type: "square", frequency: 100, detune: 5, channelCount: 1 });
  assertEquals(p.type, "square");
  assertEquals(p.frequency.value, 100);
  assertEquals(p.detune.value, 5);
  assertEquals(p.channelCount, 1);
  assert(ctx.createOscillator() instanceof OscillatorNode);
  assertThrows(() => new OscillatorNode(ctx, { type: "bogus" }), TypeError);
  assertThrows(() => new OscillatorNode(ctx, { frequency: NaN }), TypeError);
  assertThrows(() => new OscillatorNode(ctx, { periodicWave: {} }), TypeError);
});

test("type: custom needs a PeriodicWave (InvalidStateError), invalid values are ignored", () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  assertThrows(() => new OscillatorNode(ctx, { type: "custom" }), DOMException, "InvalidStateError");
  const o = new OscillatorNode(ctx);
  for (const t of ["square", "sawtooth", "triangle", "sine"]) {
    o.type = t;
    assertEquals(o.type, t);
  }
  assertThrows(() => { o.type = "custom"; }, DOMException, "InvalidStateError");
  assertEquals(o.type, "sine");
  o.type = "nonsense";
  assertEquals(o.type, "sine");
  const wave = new PeriodicWave(ctx, { real: [0, 1], imag: [0, 0] });
  o.setPeriodicWave(wave);
  assertEquals(o.type, "custom");
  o.type = "triangle";
  assertEquals(o.type, "triangle");
  const c = new OscillatorNode(ctx, { type: "sine", periodicWave: wave });
  assertEquals(c.type, "custom");
  assertThrows(() => o.setPeriodicWave(), TypeError);
  assertThrows(() => o.setPeriodicWave({}), TypeError);
});

test("PeriodicWave constructor and createPeriodicWave checks", () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  assert(new PeriodicWave(ctx) instanceof PeriodicWave);
  assert(new PeriodicWave(ctx, { real: [0, 1] }) instanceof PeriodicWave);
  assert(new PeriodicWave(ctx, { imag: [0, 1] }) instanceof PeriodicWave);
  assertThrows(() => new PeriodicWave(ctx, { real: [0, 1], imag: [0, 1, 2] }), DOMException, "IndexSizeError");
  assertThrows(() => new PeriodicWave(ctx, { real: [0] }), DOMException, "IndexSizeError");
  assertThrows(() => new PeriodicWave(ctx, { imag: [1] }), DOMException, "IndexSizeError");
  assertThrows(() => new PeriodicWave(), TypeError);
  assertThrows(() => new PeriodicWave({}), TypeError);
  assert(ctx.createPeriodicWave([0, 1], [0, 0]) instanceof PeriodicWave);
  assert(ctx.createPeriodicWave(new Float32Array(4), new Float32Array(4), { disableNormalization: true }) instanceof PeriodicWave);
  assertThrows(() => ctx.createPeriodicWave([0, 1], [0, 1, 2]), DOMException, "IndexSizeError");
  assertThrows(() => ctx.createPeriodicWave([0], [0]), DOMException, "IndexSizeError");
  assertThrows(() => ctx.createPeriodicWave([0, 1]), TypeError);
});

test("sine output is sin(2π f t) with computedFrequency = f·2^(detune/1200)", async () => {
  const [out] = await render({ length: 2048 }, (ctx) => {
    const o = new OscillatorNode(ctx, { frequency: 220, detune: 1200 });
    o.connect(ctx.destination);
    o.start();
  });
  const err = maxError(out, (i) => Math.sin(2 * Math.PI * 440 * i / SR));
  assert(err < 1e-4, `max error ${err}`);
});

test("a custom wave: normalized and with disableNormalization", async () => {
  // real[2] = 1: cos(2·2π f t); normalized to peak 1.
  const [a, b] = await render({ channels: 2, length: 1024 }, (ctx) => {
    const merger = new ChannelMergerNode(ctx, { numberOfInputs: 2 });
    merger.connect(ctx.destination);
    const w1 = ctx.createPeriodicWave([0, 0, 3], [0, 0, 0]);
    const o1 = new OscillatorNode(ctx, { frequency: 300, periodicWave: w1 });
    o1.connect(merger, 0, 0);
    // imag[1] = 0.5 without normalization: 0.5·sin(2π f t).
    const w2 = new PeriodicWave(ctx, { real: [0, 0], imag: [0, 0.5], disableNormalization: true });
    const o2 = new OscillatorNode(ctx, { frequency: 300 });
    o2.setPeriodicWave(w2);
    o2.connect(merger, 0, 1);
    o1.start();
    o2.start();
  });
  const e1 = maxError(a, (i) => Math.cos(2 * Math.PI * 600 * i / SR));
  assert(e1 < 1e-4, `normalized cosine: max error ${e1}`);
  const e2 = maxError(b, (i) => 0.5 * Math.sin(2 * Math.PI * 300 * i / SR));
  assert(e2 < 1e-4, `unnormalized sine: max error ${e2}`);
});

test("start/stop are sample accurate and ended fires", async () => {
  const ctx = new OfflineAudioContext(1, 2048, SR);
  const o = new OscillatorNode(ctx, { frequency: 1000 });
  o.connect(ctx.destination);
  assertThrows(() => o.stop(), DOMException, "InvalidStateError");
  assertThrows(() => o.start(-1), RangeError);
  o.start(300 / SR);
  assertThrows(() => o.start(), DOMException, "InvalidStateError");
  o.stop(900 / SR);
  let ended = 0;
  o.onended = () => ended++;
  const out = (await ctx.startRendering()).getChannelData(0);
  await new Promise((r) => setTimeout(r, 20));
  assertEquals(ended, 1);
  for (let i = 0; i < 300; i++) assertEquals(out[i], 0);
  for (let i = 900; i < 2048; i++) assertEquals(out[i], 0);
  const err = maxError(out.subarray(300, 900), (i) => Math.sin(2 * Math.PI * 1000 * i / SR));
  assert(err < 1e-4, `max error ${err}`);
});
