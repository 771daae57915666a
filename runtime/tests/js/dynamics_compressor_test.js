import {
  assert,
  assertClose,
  assertEquals,
  assertThrows,
  test,
} from "./harness.js";

const PARAMS = [
  // name, default, min, max
  ["threshold", -24, -100, 0],
  ["knee", 30, 0, 40],
  ["ratio", 12, 1, 20],
  ["attack", 0.003, 0, 1],
  ["release", 0.25, 0, 1],
];

test("DynamicsCompressorNode: construction, defaults, params", () => {
  const ctx = new OfflineAudioContext(1, 128, 48000);
  const c = new DynamicsCompressorNode(ctx);
  assert(c instanceof AudioNode);
  assertEquals(c.channelCount, 2);
  assertEquals(c.channelCountMode, "clamped-max");
  assertEquals(c.channelInterpretation, "speakers");
  assertEquals(c.numberOfInputs, 1);
  assertEquals(c.numberOfOutputs, 1);
  assertEquals(c.reduction, 0);
  for (const [name, def, min, max] of PARAMS) {
    const p = c[name];
    assert(p instanceof AudioParam, name);
    assertEquals(p, c[name], `${name} is [SameObject]`);
    assertEquals(p.defaultValue, Math.fround(def), `${name}.defaultValue`);
    assertEquals(p.value, Math.fround(def), `${name}.value`);
    assertEquals(p.minValue, Math.fround(min), `${name}.minValue`);
    assertEquals(p.maxValue, Math.fround(max), `${name}.maxValue`);
    assertEquals(p.automationRate, "k-rate", `${name}.automationRate`);
    assertThrows(() => (p.automationRate = "a-rate"), DOMException, "InvalidStateError");
    p.automationRate = "k-rate";
    assertEquals(p.automationRate, "k-rate");
  }
  const d = new DynamicsCompressorNode(ctx, {
    threshold: -50,
    knee: 10,
    ratio: 4,
    attack: 0.5,
    release: 0.125,
    channelCount: 1,
    channelCountMode: "explicit",
    channelInterpretation: "discrete",
  });
  assertEquals(d.threshold.value, -50);
  assertEquals(d.knee.value, 10);
  assertEquals(d.ratio.value, 4);
  assertEquals(d.attack.value, 0.5);
  assertEquals(d.release.value, 0.125);
  assertEquals(d.channelCount, 1);
  assertEquals(d.channelCountMode, "explicit");
  assertEquals(d.channelInterpretation, "discrete");
  assert(ctx.createDynamicsCompressor() instanceof DynamicsCompressorNode);
  assertThrows(() => new DynamicsCompressorNode(), TypeError);
  assertThrows(() => new DynamicsCompressorNode(ctx, { ratio: NaN }), TypeError);
});

test("DynamicsCompressorNode: channel constraints", () => {
  const ctx = new OfflineAudioContext(1, 128, 48000);
  const c = ctx.createDynamicsCompressor();
  assertThrows(() => (c.channelCount = 3), DOMException, "NotSupportedError");
  assertThrows(() => (c.channelCountMode = "max"), DOMException, "NotSupportedError");
  assertEquals(c.channelCount, 2);
  assertEquals(c.channelCountMode, "clamped-max");
  c.channelCount = 1;
  c.channelCountMode = "explicit";
  assertEquals(c.channelCount, 1);
  assertThrows(() => new DynamicsCompressorNode(ctx, { channelCount: 3 }), DOMException, "NotSupportedError");
  assertThrows(() => new DynamicsCompressorNode(ctx, { channelCountMode: "max" }), DOMException, "NotSupportedError");
});

// With a hard knee the spec's curve is fixed: above the threshold the
// output level (dB) is threshold + (input - threshold) / ratio. The makeup
// gain is (1 / curve(1.0))^0.6 and the signal is delayed by 6 ms.
test("DynamicsCompressorNode: a quiet signal comes out delayed with the makeup gain", async () => {
  const sampleRate = 48000;
  const length = 4096;
  const ctx = new OfflineAudioContext(1, length, sampleRate);
  const src = new ConstantSourceNode(ctx, { offset: 0.001 });
  const c = new DynamicsCompressorNode(ctx, { knee: 0, threshold: -24, ratio: 12 });
  src.connect(c).connect(ctx.destination);
  src.start();
  const y = (await ctx.startRendering()).getChannelData(0);
  const curveDb = -24 + (0 - -24) / 12;
  const makeup = Math.pow(1 / Math.pow(10, curveDb / 20), 0.6);
  const delay = Math.round(0.006 * sampleRate);
  for (let i = 0; i < delay - 1; i++) assertEquals(y[i], 0, `pre-delay frame ${i}`);
  for (let i = delay + 2; i < length; i++) assertClose(y[i], 0.001 * makeup, 1e-6, `frame ${i}`);
  assertEquals(c.reduction, 0);
});

test("DynamicsCompressorNode: a loud signal is reduced and reported", async () => {
  const ctx = new OfflineAudioContext(1, 48000, 48000);
  const src = new ConstantSourceNode(ctx, { offset: 1 });
  const c = new DynamicsCompressorNode(ctx, { knee: 0, threshold: -40, ratio: 20, attack: 0.001 });
  src.connect(c).connect(ctx.destination);
  src.start();
  await ctx.startRendering();
  // 0 dB in, hard knee: the static curve takes 0 dB to -40 + 40 / 20 = -38 dB.
  // After a second the envelope has settled on the static curve.
  assertClose(c.reduction, -38, 0.5, "reduction");
});
