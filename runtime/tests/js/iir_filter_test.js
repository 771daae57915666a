import {
  assert,
  assertClose,
  assertEquals,
  assertThrows,
  render,
  test,
} from "./harness.js";

const SR = 48000;

/** `H(e^{jw})` of the spec's transfer function, as [magnitude, phase]. */
function response(ff, fb, hz, sampleRate) {
  const w = (2 * Math.PI * hz) / sampleRate;
  let [nr, ni, dr, di] = [0, 0, 0, 0];
  for (let k = 0; k < ff.length; k++) {
    nr += ff[k] * Math.cos(k * w);
    ni -= ff[k] * Math.sin(k * w);
  }
  for (let k = 0; k < fb.length; k++) {
    dr += fb[k] * Math.cos(k * w);
    di -= fb[k] * Math.sin(k * w);
  }
  const d = dr * dr + di * di;
  const re = (nr * dr + ni * di) / d;
  const im = (ni * dr - nr * di) / d;
  return [Math.hypot(re, im), Math.atan2(im, re)];
}

/** The spec's difference equation: sum b[k]x[n-k] - sum_{k>0} a[k]y[n-k], all over a[0]. */
function filter(ff, fb, x) {
  const y = new Float64Array(x.length);
  for (let n = 0; n < x.length; n++) {
    let v = 0;
    for (let k = 0; k < ff.length && k <= n; k++) v += ff[k] * x[n - k];
    for (let k = 1; k < fb.length && k <= n; k++) v -= fb[k] * y[n - k];
    y[n] = v / fb[0];
  }
  return y;
}

test("constructor and createIIRFilter", () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  assertThrows(() => new IIRFilterNode(), TypeError);
  assertThrows(() => new IIRFilterNode(ctx), TypeError);
  const n = new IIRFilterNode(ctx, {
    feedforward: [1],
    feedback: [1, -0.5],
    channelCount: 1,
    channelCountMode: "explicit",
    channelInterpretation: "discrete",
  });
  assert(n instanceof AudioNode);
  assertEquals(n.numberOfInputs, 1);
  assertEquals(n.numberOfOutputs, 1);
  assertEquals(n.channelCount, 1);
  assertEquals(n.channelCountMode, "explicit");
  assertEquals(n.channelInterpretation, "discrete");
  const c = ctx.createIIRFilter([1, 2], [3]);
  assert(c instanceof IIRFilterNode);
  assertEquals(c.channelCount, 2);
  assertEquals(c.channelCountMode, "max");
  assertEquals(c.channelInterpretation, "speakers");
  assertThrows(() => ctx.createIIRFilter([1]), TypeError);
});

test("exceptions, in the spec's order", () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  const make = [
    (ff, fb) => new IIRFilterNode(ctx, { feedforward: ff, feedback: fb }),
    (ff, fb) => ctx.createIIRFilter(ff, fb),
  ];
  const twentyOne = new Array(21).fill(1);
  for (const f of make) {
    assertThrows(() => new IIRFilterNode(ctx, { feedforward: [1] }), TypeError);
    assertThrows(() => f([1, NaN], [1]), TypeError);
    assertThrows(() => f([1], [1, Infinity]), TypeError);
    assertThrows(() => f(1, [1]), TypeError);
    assertThrows(() => f([], [1]), DOMException, "NotSupportedError");
    assertThrows(() => f([1], []), DOMException, "NotSupportedError");
    assertThrows(() => f(twentyOne, [1]), DOMException, "NotSupportedError");
    assertThrows(() => f([1], twentyOne), DOMException, "NotSupportedError");
    // Lengths are checked before values.
    assertThrows(() => f(new Array(21).fill(0), [1]), DOMException, "NotSupportedError");
    assertThrows(() => f([0, 0, 0], [1]), DOMException, "InvalidStateError");
    assertThrows(() => f([1], [0, 1]), DOMException, "InvalidStateError");
    // Twenty coefficients are allowed.
    f(new Array(20).fill(0.05), new Array(20).fill(0).map((_, i) => (i === 0 ? 1 : 0)));
  }
  assertThrows(() => new IIRFilterNode(ctx, { feedforward: [1], feedback: [1], channelCount: 0 }), DOMException, "NotSupportedError");
});

test("getFrequencyResponse follows the transfer function", () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  const ff = [0.2, -0.1, 0.05];
  const fb = [2, -0.6, 0.1];
  const n = ctx.createIIRFilter(ff, fb);
  const hz = new Float32Array([0, 50, 440, 1000, 8000, 20000, 24000, -1, 24001]);
  const mag = new Float32Array(hz.length);
  const phase = new Float32Array(hz.length);
  n.getFrequencyResponse(hz, mag, phase);
  for (let i = 0; i < 7; i++) {
    const [m, p] = response(ff, fb, hz[i], SR);
    assertClose(mag[i], m, 1e-6 * Math.max(1, m), `|H(${hz[i]})|`);
    const d = Math.abs(Math.atan2(Math.sin(phase[i] - p), Math.cos(phase[i] - p)));
    assertClose(d, 0, 1e-5, `arg H(${hz[i]})`);
  }
  for (const i of [7, 8]) assert(Number.isNaN(mag[i]) && Number.isNaN(phase[i]), `NaN at ${hz[i]}`);
  assertThrows(() => n.getFrequencyResponse(hz, new Float32Array(1), phase), DOMException, "InvalidAccessError");
  assertThrows(() => n.getFrequencyResponse(hz, mag, new Float32Array(1)), DOMException, "InvalidAccessError");
  assertThrows(() => n.getFrequencyResponse(hz, mag), TypeError);
  assertThrows(() => n.getFrequencyResponse(Array.from(hz), mag, phase), TypeError);
});

test("rendered output is the spec's difference equation", async () => {
  const length = 384;
  const source = (ctx) => {
    const s = ctx.createConstantSource();
    s.offset.setValueAtTime(1, 0);
    s.offset.linearRampToValueAtTime(-1, 150 / SR);
    s.offset.setValueAtTime(0, 250 / SR);
    s.start();
    return s;
  };
  const [x] = await render({ length, sampleRate: SR }, (ctx) => source(ctx).connect(ctx.destination));
  const cases = [
    [[0.5, 0.5], [1, -0.25]],
    // Normalised by feedback[0].
    [[1, 1], [2, -0.5]],
    // A third-order filter with more feedforward than feedback terms.
    [[0.1, 0.3, 0.3, 0.1], [1, -0.9]],
  ];
  for (const [ff, fb] of cases) {
    const [y] = await render({ length, sampleRate: SR }, (ctx) => {
      source(ctx).connect(ctx.createIIRFilter(ff, fb)).connect(ctx.destination);
    });
    const expected = filter(ff, fb, x);
    for (let n = 0; n < length; n++) {
      assertClose(y[n], expected[n], 1e-5, `[${ff}]/[${fb}] y[${n}]`);
    }
  }
});
