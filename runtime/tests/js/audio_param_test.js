import {
  assert,
  assertClose,
  assertEquals,
  assertThrows,
  render,
  test,
} from "./harness.js";

const SR = 48000;

test("AudioParam attributes and defaults", () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  const g = ctx.createGain();
  assertEquals(g.gain.value, 1);
  assertEquals(g.gain.defaultValue, 1);
  assertEquals(g.gain.minValue, -3.4028234663852886e38);
  assertEquals(g.gain.maxValue, 3.4028234663852886e38);
  assertEquals(g.gain.automationRate, "a-rate");
  assert(g.gain === g.gain, "[SameObject]");
  assertThrows(() => new AudioParam(), TypeError);
  g.gain.value = 0.25;
  assertEquals(g.gain.value, 0.25);
  assertThrows(() => (g.gain.value = NaN), TypeError);
  assertThrows(() => (g.gain.value = Infinity), TypeError);
});

test("automation methods return the param and check arguments", () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  const p = ctx.createGain().gain;
  assert(p.setValueAtTime(1, 0) === p);
  assert(p.linearRampToValueAtTime(0.5, 0.1) === p);
  assert(p.exponentialRampToValueAtTime(0.25, 0.2) === p);
  assert(p.setTargetAtTime(1, 0.3, 0.1) === p);
  assert(p.setValueCurveAtTime([1, 2, 3], 0.5, 0.1) === p);
  assert(p.cancelScheduledValues(0.9) === p);
  assert(p.cancelAndHoldAtTime(0.95) === p);
  assertThrows(() => p.setValueAtTime(1, -1), RangeError);
  assertThrows(() => p.setValueAtTime(1, NaN), TypeError);
  assertThrows(() => p.setValueAtTime(1), TypeError);
  assertThrows(() => p.linearRampToValueAtTime(1, -0.1), RangeError);
  assertThrows(() => p.exponentialRampToValueAtTime(0, 1), RangeError);
  assertThrows(() => p.setTargetAtTime(1, 0, -1), RangeError);
  assertThrows(() => p.setValueCurveAtTime([1], 0, 1), DOMException, "InvalidStateError");
  assertThrows(() => p.setValueCurveAtTime([1, 2], 0, 0), RangeError);
  assertThrows(() => p.setValueCurveAtTime([1, NaN], 0, 1), TypeError);
  assertThrows(() => p.cancelScheduledValues(-1), RangeError);
  assertThrows(() => p.cancelAndHoldAtTime(-1), RangeError);
});

test("setValueCurveAtTime overlapping other events is NotSupportedError", () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  const p = ctx.createGain().gain;
  p.setValueCurveAtTime([0, 1], 1, 1);
  assertThrows(() => p.setValueAtTime(0.5, 1.5), DOMException, "NotSupportedError");
  assertThrows(() => p.setValueCurveAtTime([0, 1], 1.5, 1), DOMException, "NotSupportedError");
  assertThrows(() => p.linearRampToValueAtTime(0.5, 1.5), DOMException, "NotSupportedError");
  p.setValueAtTime(0.5, 2.5);
});

test("automationRate is settable; invalid values are ignored", () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  const p = ctx.createGain().gain;
  p.automationRate = "k-rate";
  assertEquals(p.automationRate, "k-rate");
  p.automationRate = "bogus";
  assertEquals(p.automationRate, "k-rate");
});

// Reference helpers from the spec's formulas.
const frameOf = (t) => Math.floor(t * SR + 0.5);

test("setValueAtTime takes effect at frame round(t * sampleRate)", async () => {
  const t = 100.4 / SR;
  const [out] = await render({ length: 256 }, (ctx) => {
    const src = new ConstantSourceNode(ctx);
    const g = new GainNode(ctx, { gain: 0 });
    g.gain.setValueAtTime(1, t);
    src.connect(g).connect(ctx.destination);
    src.start();
  });
  const k = frameOf(t);
  assertEquals(out[k - 1], 0, "before the event");
  assertEquals(out[k], 1, "at the event frame");
  assertEquals(out[255], 1);
});

test("linear and exponential ramps follow the spec formulas", async () => {
  const T1 = 200 / SR;
  const T2 = 400 / SR;
  const [out] = await render({ length: 512 }, (ctx) => {
    const src = new ConstantSourceNode(ctx);
    const g = new GainNode(ctx, { gain: 0 });
    g.gain.setValueAtTime(0.1, 0);
    g.gain.linearRampToValueAtTime(0.9, T1);
    g.gain.exponentialRampToValueAtTime(0.3, T2);
    src.connect(g).connect(ctx.destination);
    src.start();
  });
  for (const k of [0, 1, 57, 128, 199]) {
    const t = k / SR;
    assertClose(out[k], 0.1 + (0.9 - 0.1) * (t / T1), 1e-6, `linear at ${k}`);
  }
  for (const k of [200, 201, 300, 399]) {
    const t = k / SR;
    assertClose(out[k], 0.9 * Math.pow(0.3 / 0.9, (t - T1) / (T2 - T1)), 1e-6, `exponential at ${k}`);
  }
  assertClose(out[450], 0.3, 1e-7, "holds the end value");
});

test("setTargetAtTime and setValueCurveAtTime follow the spec formulas", async () => {
  const T0 = 64 / SR;
  const tau = 0.001;
  const C0 = 300 / SR;
  const D = 100 / SR;
  const curve = [0, 1, 0.5];
  const [out] = await render({ length: 512 }, (ctx) => {
    const src = new ConstantSourceNode(ctx);
    const g = new GainNode(ctx, { gain: 1 });
    g.gain.setTargetAtTime(0.2, T0, tau);
    g.gain.setValueCurveAtTime(curve, C0, D);
    src.connect(g).connect(ctx.destination);
    src.start();
  });
  for (const k of [64, 65, 100, 200, 299]) {
    const t = k / SR;
    assertClose(out[k], 0.2 + (1 - 0.2) * Math.exp(-(t - T0) / tau), 1e-5, `setTarget at ${k}`);
  }
  for (const k of [300, 320, 350, 399]) {
    const t = k / SR;
    const v = ((curve.length - 1) / D) * (t - C0);
    const i = Math.floor(v);
    const expected = i >= curve.length - 1 ? curve[curve.length - 1] : curve[i] + (curve[i + 1] - curve[i]) * (v - i);
    assertClose(out[k], expected, 1e-5, `curve at ${k}`);
  }
  assertClose(out[450], 0.5, 1e-7, "curve end value holds");
});

test("k-rate params take one value per render quantum", async () => {
  const [out] = await render({ length: 256 }, (ctx) => {
    const src = new ConstantSourceNode(ctx);
    const g = new GainNode(ctx, { gain: 0 });
    g.gain.automationRate = "k-rate";
    g.gain.setValueAtTime(1, 10 / SR);
    src.connect(g).connect(ctx.destination);
    src.start();
  });
  assertEquals(out[10], 0, "unchanged inside the first quantum");
  assertEquals(out[127], 0);
  assertEquals(out[128], 1, "takes effect at the next quantum");
});

test("an audio signal connected to a param is added to its value", async () => {
  const [out] = await render({ length: 128 }, (ctx) => {
    const one = new ConstantSourceNode(ctx, { offset: 1 });
    const mod = new ConstantSourceNode(ctx, { offset: 0.25 });
    const g = new GainNode(ctx, { gain: 0.5 });
    one.connect(g).connect(ctx.destination);
    mod.connect(g.gain);
    one.start();
    mod.start();
  });
  assertEquals(out[0], 0.75);
  assertEquals(out[127], 0.75);
});

test("value reflects the computed value after rendering", async () => {
  const ctx = new OfflineAudioContext(1, 1024, SR);
  const g = new GainNode(ctx, { gain: 0 });
  g.gain.linearRampToValueAtTime(1, 1024 / SR);
  g.connect(ctx.destination);
  await ctx.startRendering();
  assert(g.gain.value > 0.8 && g.gain.value <= 1, `got ${g.gain.value}`);
});
