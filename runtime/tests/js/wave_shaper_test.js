import {
  assert,
  assertArrayEquals,
  assertClose,
  assertEquals,
  assertThrows,
  render,
  test,
} from "./harness.js";

const SR = 48000;

/** The spec's curve mapping (index.bs "WaveShaperNode", curve). */
function shape(curve, x) {
  const N = curve.length;
  const v = ((N - 1) / 2) * (x + 1);
  if (v < 0) return curve[0];
  if (v >= N - 1) return curve[N - 1];
  const k = Math.floor(v);
  const f = v - k;
  return (1 - f) * curve[k] + f * curve[k + 1];
}

test("constructor: defaults and options", () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  assertThrows(() => new WaveShaperNode(), TypeError);
  assertThrows(() => new WaveShaperNode({}), TypeError);
  const w = new WaveShaperNode(ctx);
  assert(w instanceof AudioNode);
  assertEquals(w.curve, null);
  assertEquals(w.oversample, "none");
  assertEquals(w.numberOfInputs, 1);
  assertEquals(w.numberOfOutputs, 1);
  assertEquals(w.channelCount, 2);
  assertEquals(w.channelCountMode, "max");
  assertEquals(w.channelInterpretation, "speakers");
  const o = new WaveShaperNode(ctx, {
    curve: [1, 2, 3],
    oversample: "4x",
    channelCount: 1,
    channelCountMode: "explicit",
    channelInterpretation: "discrete",
  });
  assert(o.curve instanceof Float32Array);
  assertArrayEquals(o.curve, new Float32Array([1, 2, 3]));
  assertEquals(o.oversample, "4x");
  assertEquals(o.channelCount, 1);
  assertEquals(o.channelCountMode, "explicit");
  assertEquals(o.channelInterpretation, "discrete");
  // A curve given to the constructor sets [[curve set]].
  assertThrows(() => (o.curve = new Float32Array(2)), DOMException, "InvalidStateError");
  assert(ctx.createWaveShaper() instanceof WaveShaperNode);
});

test("constructor exceptions", () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  assertThrows(() => new WaveShaperNode(ctx, { curve: [1] }), DOMException, "InvalidStateError");
  assertThrows(() => new WaveShaperNode(ctx, { curve: [] }), DOMException, "InvalidStateError");
  assertThrows(() => new WaveShaperNode(ctx, { curve: [0, NaN] }), TypeError);
  assertThrows(() => new WaveShaperNode(ctx, { curve: 5 }), TypeError);
  assertThrows(() => new WaveShaperNode(ctx, { oversample: "8x" }), TypeError);
  assertThrows(() => new WaveShaperNode(ctx, { channelCount: 33 }), DOMException, "NotSupportedError");
});

test("curve attribute: internal copy, set once, null allowed", () => {
  const w = new OfflineAudioContext(1, 128, SR).createWaveShaper();
  assertThrows(() => (w.curve = new Float32Array(1)), DOMException, "InvalidStateError");
  assertThrows(() => (w.curve = [1, 2]), TypeError);
  assertThrows(() => (w.curve = new Float64Array(2)), TypeError);
  assertEquals(w.curve, null);
  const c = new Float32Array([-1, 0, 1]);
  w.curve = c;
  assert(w.curve !== c, "the getter returns the node's copy");
  assert(w.curve === w.curve, "the same copy each time");
  assertArrayEquals(w.curve, c);
  c[0] = 5;
  assertEquals(w.curve[0], -1);
  assertThrows(() => (w.curve = new Float32Array([0, 1])), DOMException, "InvalidStateError");
  assertArrayEquals(w.curve, new Float32Array([-1, 0, 1]));
  w.curve = null;
  assertEquals(w.curve, null);
  w.curve = undefined;
  assertEquals(w.curve, null);
  // [[curve set]] stays true.
  assertThrows(() => (w.curve = new Float32Array([0, 1])), DOMException, "InvalidStateError");
});

test("oversample attribute: every enum value, invalid values ignored", () => {
  const w = new OfflineAudioContext(1, 128, SR).createWaveShaper();
  for (const o of ["2x", "4x", "none"]) {
    w.oversample = o;
    assertEquals(w.oversample, o);
  }
  w.oversample = "8x";
  assertEquals(w.oversample, "none");
});

/** A ramp from -1.5 to 1.5 and back, covering both clamped ends. */
function ramp(ctx) {
  const s = ctx.createConstantSource();
  s.offset.setValueAtTime(-1.5, 0);
  s.offset.linearRampToValueAtTime(1.5, 300 / SR);
  s.offset.linearRampToValueAtTime(-0.3, 512 / SR);
  s.start();
  return s;
}

test("rendered output is the spec's curve mapping", async () => {
  const length = 512;
  const [x] = await render({ length, sampleRate: SR }, (ctx) => ramp(ctx).connect(ctx.destination));
  for (const curve of [[-1, 0.5, 2, 0], [0.25, -0.75], [3, 1, -1, 0.5, 0.125]]) {
    const [y] = await render({ length, sampleRate: SR }, (ctx) => {
      const w = new WaveShaperNode(ctx, { curve });
      ramp(ctx).connect(w).connect(ctx.destination);
    });
    const c = new Float32Array(curve);
    for (let n = 0; n < length; n++) {
      assertClose(y[n], shape(c, x[n]), 1e-6, `[${curve}] y[${n}] (x = ${x[n]})`);
    }
  }
  // Curve set after construction, and the identity with a null curve.
  const [y] = await render({ length, sampleRate: SR }, (ctx) => {
    const w = ctx.createWaveShaper();
    w.curve = new Float32Array([1, -1]);
    ramp(ctx).connect(w).connect(ctx.destination);
  });
  for (let n = 0; n < length; n++) assertClose(y[n], shape([1, -1], x[n]), 1e-6, `inverted y[${n}]`);
  const [z] = await render({ length, sampleRate: SR }, (ctx) => ramp(ctx).connect(ctx.createWaveShaper()).connect(ctx.destination));
  assertArrayEquals(z, x, "no curve");
});

test("a curve mapping 0 elsewhere than 0 gives DC from silence", async () => {
  const [y] = await render({ length: 256, sampleRate: SR }, (ctx) => {
    const s = ctx.createConstantSource();
    s.offset.value = 0;
    s.start();
    s.connect(new WaveShaperNode(ctx, { curve: [0, 0.5, 0] })).connect(ctx.destination);
  });
  for (let n = 0; n < 256; n++) assertEquals(y[n], 0.5, `y[${n}]`);
});

test("oversampling keeps a linear curve linear (after the resampler latency)", async () => {
  for (const oversample of ["2x", "4x"]) {
    const [y] = await render({ length: 1024, sampleRate: SR }, (ctx) => {
      const s = ctx.createConstantSource();
      s.offset.value = 0.5;
      s.start();
      s.connect(new WaveShaperNode(ctx, { curve: [-1, 1], oversample })).connect(ctx.destination);
    });
    for (let n = 256; n < 1024; n++) assertClose(y[n], 0.5, 1e-3, `${oversample} y[${n}]`);
  }
});
