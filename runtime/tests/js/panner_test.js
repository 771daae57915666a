import {
  assert,
  assertClose,
  assertEquals,
  assertThrows,
  test,
} from "./harness.js";

const PARAMS = [
  ["positionX", 0],
  ["positionY", 0],
  ["positionZ", 0],
  ["orientationX", 1],
  ["orientationY", 0],
  ["orientationZ", 0],
];

test("PannerNode: construction and defaults", () => {
  const ctx = new OfflineAudioContext(1, 128, 48000);
  const p = new PannerNode(ctx);
  assert(p instanceof AudioNode);
  assertEquals(p.panningModel, "equalpower");
  assertEquals(p.distanceModel, "inverse");
  assertEquals(p.refDistance, 1);
  assertEquals(p.maxDistance, 10000);
  assertEquals(p.rolloffFactor, 1);
  assertEquals(p.coneInnerAngle, 360);
  assertEquals(p.coneOuterAngle, 360);
  assertEquals(p.coneOuterGain, 0);
  assertEquals(p.channelCount, 2);
  assertEquals(p.channelCountMode, "clamped-max");
  assertEquals(p.channelInterpretation, "speakers");
  assertEquals(p.numberOfInputs, 1);
  assertEquals(p.numberOfOutputs, 1);
  for (const [name, def] of PARAMS) {
    const a = p[name];
    assert(a instanceof AudioParam, name);
    assertEquals(a, p[name], `${name} is [SameObject]`);
    assertEquals(a.defaultValue, def, name);
    assertEquals(a.value, def, name);
    assertEquals(a.automationRate, "a-rate", name);
    assertEquals(a.minValue, -3.4028234663852886e38, name);
    assertEquals(a.maxValue, 3.4028234663852886e38, name);
  }
  assert(ctx.createPanner() instanceof PannerNode);
  assertThrows(() => new PannerNode(), TypeError);
  assertThrows(() => new PannerNode({}), TypeError);
});

test("PannerNode: options", () => {
  const ctx = new OfflineAudioContext(1, 128, 48000);
  const p = new PannerNode(ctx, {
    panningModel: "HRTF",
    distanceModel: "linear",
    positionX: 1,
    positionY: 2,
    positionZ: 3,
    orientationX: 0,
    orientationY: 1,
    orientationZ: 0.5,
    refDistance: 2,
    maxDistance: 50,
    rolloffFactor: 0.5,
    coneInnerAngle: 40,
    coneOuterAngle: 90,
    coneOuterGain: 0.25,
    channelCount: 1,
    channelCountMode: "explicit",
    channelInterpretation: "discrete",
  });
  assertEquals(p.panningModel, "HRTF");
  assertEquals(p.distanceModel, "linear");
  const values = [1, 2, 3, 0, 1, 0.5];
  PARAMS.forEach(([name], i) => assertEquals(p[name].value, values[i], name));
  assertEquals(p.refDistance, 2);
  assertEquals(p.maxDistance, 50);
  assertEquals(p.rolloffFactor, 0.5);
  assertEquals(p.coneInnerAngle, 40);
  assertEquals(p.coneOuterAngle, 90);
  assertEquals(p.coneOuterGain, 0.25);
  assertEquals(p.channelCount, 1);
  assertEquals(p.channelCountMode, "explicit");
  assertEquals(p.channelInterpretation, "discrete");
  assertThrows(() => new PannerNode(ctx, { panningModel: "bogus" }), TypeError);
  assertThrows(() => new PannerNode(ctx, { distanceModel: "bogus" }), TypeError);
  assertThrows(() => new PannerNode(ctx, { positionX: NaN }), TypeError);
});

test("PannerNode: attributes and exceptions", () => {
  const ctx = new OfflineAudioContext(1, 128, 48000);
  const p = ctx.createPanner();
  p.panningModel = "HRTF";
  assertEquals(p.panningModel, "HRTF");
  p.panningModel = "bogus";
  assertEquals(p.panningModel, "HRTF");
  p.panningModel = "equalpower";
  assertEquals(p.panningModel, "equalpower");
  for (const m of ["linear", "exponential", "inverse"]) {
    p.distanceModel = m;
    assertEquals(p.distanceModel, m);
  }
  p.distanceModel = "nope";
  assertEquals(p.distanceModel, "inverse");

  assertThrows(() => (p.refDistance = -1), RangeError);
  p.refDistance = 0;
  assertEquals(p.refDistance, 0);
  assertThrows(() => (p.maxDistance = 0), RangeError);
  assertThrows(() => (p.maxDistance = -1), RangeError);
  p.maxDistance = 5;
  assertEquals(p.maxDistance, 5);
  assertThrows(() => (p.rolloffFactor = -0.5), RangeError);
  p.rolloffFactor = 3;
  assertEquals(p.rolloffFactor, 3);
  assertThrows(() => (p.coneOuterGain = 1.5), DOMException, "InvalidStateError");
  assertThrows(() => (p.coneOuterGain = -0.5), DOMException, "InvalidStateError");
  p.coneOuterGain = 0.5;
  assertEquals(p.coneOuterGain, 0.5);
  p.coneInnerAngle = 10;
  p.coneOuterAngle = 20;
  assertEquals(p.coneInnerAngle, 10);
  assertEquals(p.coneOuterAngle, 20);
  assertThrows(() => (p.refDistance = NaN), TypeError);

  assertThrows(() => new PannerNode(ctx, { refDistance: -1 }), RangeError);
  assertThrows(() => new PannerNode(ctx, { maxDistance: 0 }), RangeError);
  assertThrows(() => new PannerNode(ctx, { rolloffFactor: -1 }), RangeError);
  assertThrows(() => new PannerNode(ctx, { coneOuterGain: 2 }), DOMException, "InvalidStateError");

  assertThrows(() => (p.channelCount = 3), DOMException, "NotSupportedError");
  assertThrows(() => (p.channelCountMode = "max"), DOMException, "NotSupportedError");
  assertThrows(() => new PannerNode(ctx, { channelCount: 3 }), DOMException, "NotSupportedError");
  assertThrows(() => new PannerNode(ctx, { channelCountMode: "max" }), DOMException, "NotSupportedError");
  p.channelCount = 1;
  assertEquals(p.channelCount, 1);
});

test("PannerNode and AudioListener: legacy setPosition/setOrientation", () => {
  const ctx = new OfflineAudioContext(1, 128, 48000);
  const p = ctx.createPanner();
  p.setPosition(1, 2, 3);
  assertEquals(p.positionX.value, 1);
  assertEquals(p.positionY.value, 2);
  assertEquals(p.positionZ.value, 3);
  p.setOrientation(4, 5, 6);
  assertEquals(p.orientationX.value, 4);
  assertEquals(p.orientationY.value, 5);
  assertEquals(p.orientationZ.value, 6);
  assertThrows(() => p.setPosition(1, 2), TypeError);
  assertThrows(() => p.setOrientation(1, 2, NaN), TypeError);
  const l = ctx.listener;
  assertEquals(l, ctx.listener);
  l.setPosition(7, 8, 9);
  assertEquals(l.positionX.value, 7);
  assertEquals(l.positionZ.value, 9);
  l.setOrientation(1, 0, 0, 0, 0, 1);
  assertEquals(l.forwardX.value, 1);
  assertEquals(l.forwardZ.value, 0);
  assertEquals(l.upZ.value, 1);
  assertEquals(l.upY.value, 0);
});

// --- Rendering against the spec's formulas -------------------------------

const sub = (a, b) => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const len = (a) => Math.hypot(a[0], a[1], a[2]);
const norm = (a) => {
  const n = len(a);
  return n === 0 ? a : [a[0] / n, a[1] / n, a[2] / n];
};

function azimuth(source, listener, forward, up) {
  const sl = norm(sub(source, listener));
  const right = norm(cross(forward, up));
  const f = norm(forward);
  const u = cross(right, f);
  const proj = norm(sub(sl, u.map((c) => c * dot(sl, u))));
  let az = (180 / Math.PI) * Math.acos(Math.max(-1, Math.min(1, dot(proj, right))));
  if (dot(proj, f) < 0) az = 360 - az;
  return az >= 0 && az <= 270 ? 90 - az : 450 - az;
}

function distanceGain(model, d, ref, max, rolloff) {
  if (model === "linear") {
    const dd = Math.max(Math.min(d, max), ref);
    return 1 - (rolloff * (dd - ref)) / (max - ref);
  }
  if (model === "inverse") return ref / (ref + rolloff * (Math.max(d, ref) - ref));
  return Math.pow(Math.max(d, ref) / ref, -rolloff);
}

// Mono input, equal-power.
function expectedGains(source, listener, forward, up, model, ref, max, rolloff) {
  let az = azimuth(source, listener, forward, up);
  az = Math.max(-180, Math.min(180, az));
  if (az < -90) az = -180 - az;
  else if (az > 90) az = 180 - az;
  const x = (az + 90) / 180;
  const g = distanceGain(model, len(sub(source, listener)), ref, max, rolloff);
  return [g * Math.cos((x * Math.PI) / 2), g * Math.sin((x * Math.PI) / 2)];
}

for (const [model, source] of [
  ["inverse", [2, 0, -1]],
  ["linear", [-3, 1, 2]],
  ["exponential", [0.5, -2, -4]],
]) {
  test(`PannerNode renders equal-power panning, ${model} distance, source ${source}`, async () => {
    const listener = [1, 0.5, 0];
    const forward = [0, 0, -1];
    const up = [0, 1, 0];
    const ctx = new OfflineAudioContext(2, 256, 48000);
    const src = new ConstantSourceNode(ctx, { offset: 0.5 });
    // The panner is made before the listener is first touched.
    const p = new PannerNode(ctx, {
      distanceModel: model,
      positionX: source[0],
      positionY: source[1],
      positionZ: source[2],
      maxDistance: 20,
      rolloffFactor: 0.7,
    });
    ctx.listener.setPosition(...listener);
    src.connect(p).connect(ctx.destination);
    src.start();
    const out = await ctx.startRendering();
    const [gl, gr] = expectedGains(source, listener, forward, up, model, 1, 20, 0.7);
    const l = out.getChannelData(0);
    const r = out.getChannelData(1);
    for (let i = 0; i < 256; i++) {
      assertClose(l[i], 0.5 * gl, 1e-6, `L ${i}`);
      assertClose(r[i], 0.5 * gr, 1e-6, `R ${i}`);
    }
  });
}

// The listener's automation reaches the panner in the same quantum, at the
// exact frame: the graph processes the listener before every panner.
test("PannerNode follows AudioListener automation sample-accurately", async () => {
  const ctx = new OfflineAudioContext(2, 384, 48000);
  const src = new ConstantSourceNode(ctx, { offset: 1 });
  const p = new PannerNode(ctx, { positionX: 1 });
  src.connect(p).connect(ctx.destination);
  src.start();
  // At frame 200 the listener jumps to x = 2: the source is now on its left.
  ctx.listener.positionX.setValueAtTime(2, 200 / 48000);
  const out = await ctx.startRendering();
  const l = out.getChannelData(0);
  const r = out.getChannelData(1);
  for (let i = 0; i < 384; i++) {
    const [gl, gr] = i < 200 ? [0, 1] : [1, 0];
    assertClose(l[i], gl, 1e-6, `L ${i}`);
    assertClose(r[i], gr, 1e-6, `R ${i}`);
  }
});

test("PannerNode cone gain", async () => {
  // Source at the origin pointing along +x; the listener at (0, 0, 2) is
  // 90 degrees off the source's axis: between inner (60) and outer (120)
  // half-angles 30 and 60 -> outside the outer cone: coneOuterGain.
  const ctx = new OfflineAudioContext(2, 128, 48000);
  const src = new ConstantSourceNode(ctx, { offset: 1 });
  const p = new PannerNode(ctx, {
    coneInnerAngle: 60,
    coneOuterAngle: 120,
    coneOuterGain: 0.25,
    refDistance: 2,
  });
  ctx.listener.setPosition(0, 0, 2);
  src.connect(p).connect(ctx.destination);
  src.start();
  const out = await ctx.startRendering();
  // Source straight ahead of the listener (facing -z): azimuth 0.
  const g = 0.25 * Math.SQRT1_2;
  assertClose(out.getChannelData(0)[64], g, 1e-6, "L");
  assertClose(out.getChannelData(1)[64], g, 1e-6, "R");
});

test("PannerNode HRTF renders a stereo signal louder on the source's side", async () => {
  const ctx = new OfflineAudioContext(2, 4096, 44100);
  const osc = new ConstantSourceNode(ctx, { offset: 0 });
  for (let i = 0; i < 4096; i += 8) osc.offset.setValueAtTime(i % 16 === 0 ? 1 : -1, i / 44100);
  const p = new PannerNode(ctx, { panningModel: "HRTF", positionX: 1 });
  osc.connect(p).connect(ctx.destination);
  osc.start();
  const out = await ctx.startRendering();
  const energy = (c) => c.reduce((a, v) => a + v * v, 0);
  const el = energy(out.getChannelData(0));
  const er = energy(out.getChannelData(1));
  assert(er > 2 * el, `right ${er} vs left ${el}`);
});
