import {
  assert,
  assertClose,
  assertEquals,
  assertThrows,
  render,
  test,
} from "./harness.js";

const SR = 48000;

/** The spec's coefficients (index.bs "Filters Characteristics"), normalised by a0. */
function coefficients(type, f0, Q, G, sampleRate) {
  const A = 10 ** (G / 40);
  const w0 = (2 * Math.PI * f0) / sampleRate;
  const c = Math.cos(w0);
  const s = Math.sin(w0);
  const alphaQ = s / (2 * Q);
  const alphaQdB = s / (2 * 10 ** (Q / 20));
  const alphaS = (s / 2) * Math.SQRT2;
  let b0, b1, b2, a0, a1, a2;
  switch (type) {
    case "lowpass":
      [b0, b1, b2] = [(1 - c) / 2, 1 - c, (1 - c) / 2];
      [a0, a1, a2] = [1 + alphaQdB, -2 * c, 1 - alphaQdB];
      break;
    case "highpass":
      [b0, b1, b2] = [(1 + c) / 2, -(1 + c), (1 + c) / 2];
      [a0, a1, a2] = [1 + alphaQdB, -2 * c, 1 - alphaQdB];
      break;
    case "bandpass":
      [b0, b1, b2] = [alphaQ, 0, -alphaQ];
      [a0, a1, a2] = [1 + alphaQ, -2 * c, 1 - alphaQ];
      break;
    case "notch":
      [b0, b1, b2] = [1, -2 * c, 1];
      [a0, a1, a2] = [1 + alphaQ, -2 * c, 1 - alphaQ];
      break;
    case "allpass":
      [b0, b1, b2] = [1 - alphaQ, -2 * c, 1 + alphaQ];
      [a0, a1, a2] = [1 + alphaQ, -2 * c, 1 - alphaQ];
      break;
    case "peaking":
      [b0, b1, b2] = [1 + alphaQ * A, -2 * c, 1 - alphaQ * A];
      [a0, a1, a2] = [1 + alphaQ / A, -2 * c, 1 - alphaQ / A];
      break;
    case "lowshelf": {
      const r = 2 * alphaS * Math.sqrt(A);
      b0 = A * ((A + 1) - (A - 1) * c + r);
      b1 = 2 * A * ((A - 1) - (A + 1) * c);
      b2 = A * ((A + 1) - (A - 1) * c - r);
      a0 = (A + 1) + (A - 1) * c + r;
      a1 = -2 * ((A - 1) + (A + 1) * c);
      a2 = (A + 1) + (A - 1) * c - r;
      break;
    }
    case "highshelf": {
      const r = 2 * alphaS * Math.sqrt(A);
      b0 = A * ((A + 1) + (A - 1) * c + r);
      b1 = -2 * A * ((A - 1) + (A + 1) * c);
      b2 = A * ((A + 1) + (A - 1) * c - r);
      a0 = (A + 1) - (A - 1) * c + r;
      a1 = 2 * ((A - 1) - (A + 1) * c);
      a2 = (A + 1) - (A - 1) * c - r;
      break;
    }
  }
  return [b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0];
}

/** `H(e^{jw})` at `hz`, as [magnitude, phase]. */
function response([b0, b1, b2, a1, a2], hz, sampleRate) {
  const w = (2 * Math.PI * hz) / sampleRate;
  const nr = b0 + b1 * Math.cos(w) + b2 * Math.cos(2 * w);
  const ni = -(b1 * Math.sin(w) + b2 * Math.sin(2 * w));
  const dr = 1 + a1 * Math.cos(w) + a2 * Math.cos(2 * w);
  const di = -(a1 * Math.sin(w) + a2 * Math.sin(2 * w));
  const re = (nr * dr + ni * di) / (dr * dr + di * di);
  const im = (ni * dr - nr * di) / (dr * dr + di * di);
  return [Math.hypot(re, im), Math.atan2(im, re)];
}

/** The spec's difference equation applied to `x`. */
function filter([b0, b1, b2, a1, a2], x) {
  const y = new Float64Array(x.length);
  let [x1, x2, y1, y2] = [0, 0, 0, 0];
  for (let n = 0; n < x.length; n++) {
    y[n] = b0 * x[n] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
    [x2, x1, y2, y1] = [x1, x[n], y1, y[n]];
  }
  return y;
}

const TYPES = ["lowpass", "highpass", "bandpass", "lowshelf", "highshelf", "peaking", "notch", "allpass"];

test("constructor: defaults, options and the Nyquist-dependent frequency range", () => {
  assertThrows(() => new BiquadFilterNode(), TypeError);
  const ctx = new OfflineAudioContext(1, 128, SR);
  const b = new BiquadFilterNode(ctx);
  assert(b instanceof AudioNode);
  assertEquals(b.type, "lowpass");
  assertEquals(b.numberOfInputs, 1);
  assertEquals(b.numberOfOutputs, 1);
  assertEquals(b.channelCount, 2);
  assertEquals(b.channelCountMode, "max");
  assertEquals(b.channelInterpretation, "speakers");
  const expect = [
    ["frequency", 350, 0, SR / 2],
    ["detune", 0, -153600, 153600],
    ["Q", 1, -3.4028234663852886e38, 3.4028234663852886e38],
    ["gain", 0, -3.4028234663852886e38, Math.fround(40 * Math.log10(3.4028234663852886e38))],
  ];
  for (const [name, def, min, max] of expect) {
    const p = b[name];
    assert(p instanceof AudioParam, name);
    assert(p === b[name], `${name} is [SameObject]`);
    assertEquals(p.defaultValue, def, `${name}.defaultValue`);
    assertEquals(p.value, def, `${name}.value`);
    assertEquals(p.minValue, min, `${name}.minValue`);
    assertClose(p.maxValue, max, Math.abs(max) * 1e-6, `${name}.maxValue`);
    assertEquals(p.automationRate, "a-rate", `${name}.automationRate`);
  }
  const c = new BiquadFilterNode(new OfflineAudioContext(1, 128, 22050));
  assertEquals(c.frequency.maxValue, 11025);

  const o = new BiquadFilterNode(ctx, {
    type: "peaking",
    Q: 2,
    detune: 100,
    frequency: 440,
    gain: 6,
    channelCount: 1,
    channelCountMode: "explicit",
    channelInterpretation: "discrete",
  });
  assertEquals(o.type, "peaking");
  assertEquals(o.Q.value, 2);
  assertEquals(o.detune.value, 100);
  assertEquals(o.frequency.value, 440);
  assertEquals(o.gain.value, 6);
  assertEquals(o.channelCount, 1);
  assertEquals(o.channelCountMode, "explicit");
  assertEquals(o.channelInterpretation, "discrete");
  assert(ctx.createBiquadFilter() instanceof BiquadFilterNode);
});

test("constructor exceptions", () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  assertThrows(() => new BiquadFilterNode({}), TypeError);
  assertThrows(() => new BiquadFilterNode(ctx, { type: "bogus" }), TypeError);
  for (const name of ["Q", "detune", "frequency", "gain"]) {
    assertThrows(() => new BiquadFilterNode(ctx, { [name]: NaN }), TypeError);
    assertThrows(() => new BiquadFilterNode(ctx, { [name]: Infinity }), TypeError);
  }
  assertThrows(() => new BiquadFilterNode(ctx, { channelCount: 0 }), DOMException, "NotSupportedError");
  assertThrows(() => new BiquadFilterNode(ctx, { channelCountMode: "bogus" }), TypeError);
});

test("type attribute: every enum value, invalid values ignored", () => {
  const b = new OfflineAudioContext(1, 128, SR).createBiquadFilter();
  for (const t of TYPES) {
    b.type = t;
    assertEquals(b.type, t);
  }
  b.type = "bogus";
  assertEquals(b.type, "allpass");
  b.type = "LOWPASS";
  assertEquals(b.type, "allpass");
});

test("getFrequencyResponse follows the spec's formulas at the params' values", () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  const b = ctx.createBiquadFilter();
  const hz = new Float32Array([0, 20, 100, 440, 1000, 5000, 12000, 23999, 24000]);
  const mag = new Float32Array(hz.length);
  const phase = new Float32Array(hz.length);
  for (const type of TYPES) {
    b.type = type;
    b.frequency.value = 1000;
    b.Q.value = type === "lowpass" || type === "highpass" ? 3 : 0.7;
    b.gain.value = 6;
    b.getFrequencyResponse(hz, mag, phase);
    const coef = coefficients(type, 1000, b.Q.value, 6, SR);
    for (let i = 0; i < hz.length; i++) {
      const [m, p] = response(coef, hz[i], SR);
      assertClose(mag[i], m, 1e-5 * Math.max(1, m), `${type} |H(${hz[i]})|`);
      // At 0 Hz and Nyquist the phase is 0 or ±pi; compare the angle modulo 2pi.
      const d = Math.abs(Math.atan2(Math.sin(phase[i] - p), Math.cos(phase[i] - p)));
      if (m > 1e-6) assertClose(d, 0, 1e-4, `${type} arg H(${hz[i]})`);
    }
  }
  // detune takes part: 500 Hz + 1200 cents is 1000 Hz.
  b.type = "lowpass";
  b.Q.value = 1;
  b.frequency.value = 500;
  b.detune.value = 1200;
  b.getFrequencyResponse(hz, mag, phase);
  const coef = coefficients("lowpass", 1000, 1, 0, SR);
  for (let i = 0; i < hz.length; i++) {
    assertClose(mag[i], response(coef, hz[i], SR)[0], 1e-5, `detuned |H(${hz[i]})|`);
  }
});

test("getFrequencyResponse: out-of-range frequencies give NaN, arguments are checked", () => {
  const b = new OfflineAudioContext(1, 128, SR).createBiquadFilter();
  const hz = new Float32Array([-1, 24001, NaN, 100]);
  const mag = new Float32Array(4);
  const phase = new Float32Array(4);
  b.getFrequencyResponse(hz, mag, phase);
  for (let i = 0; i < 3; i++) {
    assert(Number.isNaN(mag[i]) && Number.isNaN(phase[i]), `NaN at ${hz[i]}`);
  }
  assert(mag[3] > 0.9);
  assertThrows(() => b.getFrequencyResponse(hz, new Float32Array(3), phase), DOMException, "InvalidAccessError");
  assertThrows(() => b.getFrequencyResponse(hz, mag, new Float32Array(5)), DOMException, "InvalidAccessError");
  assertThrows(() => b.getFrequencyResponse(hz, mag), TypeError);
  assertThrows(() => b.getFrequencyResponse([1, 2], mag, phase), TypeError);
  assertThrows(() => b.getFrequencyResponse(hz, new Float64Array(4), phase), TypeError);
  // The same array may be passed twice.
  const shared = new Float32Array([100, 1000]);
  b.getFrequencyResponse(shared, shared, new Float32Array(2));
  assertClose(shared[1], response(coefficients("lowpass", 350, 1, 0, SR), 1000, SR)[0], 1e-5);
});

test("rendered output is the spec's difference equation", async () => {
  // Input: a ConstantSourceNode whose offset ramps, so the filter sees a
  // non-trivial signal; rendered once unfiltered to get the exact input.
  const length = 512;
  const source = (ctx) => {
    const s = ctx.createConstantSource();
    s.offset.setValueAtTime(1, 0);
    s.offset.linearRampToValueAtTime(-0.5, 200 / SR);
    s.offset.setValueAtTime(0.25, 300 / SR);
    s.start();
    return s;
  };
  const [x] = await render({ length, sampleRate: SR }, (ctx) => {
    source(ctx).connect(ctx.destination);
  });
  for (const type of TYPES) {
    const [y] = await render({ length, sampleRate: SR }, (ctx) => {
      const b = new BiquadFilterNode(ctx, { type, frequency: 2000, Q: 2, gain: -4 });
      source(ctx).connect(b).connect(ctx.destination);
    });
    const expected = filter(coefficients(type, 2000, 2, -4, SR), x);
    for (let n = 0; n < length; n++) {
      assertClose(y[n], expected[n], 2e-5, `${type} y[${n}]`);
    }
  }
});

test("frequency automation is applied per sample", async () => {
  const length = 256;
  const [x] = await render({ length, sampleRate: SR }, (ctx) => {
    const s = ctx.createConstantSource();
    s.start();
    s.connect(ctx.destination);
  });
  const [y] = await render({ length, sampleRate: SR }, (ctx) => {
    const s = ctx.createConstantSource();
    const b = ctx.createBiquadFilter();
    b.frequency.setValueAtTime(100, 0);
    b.frequency.linearRampToValueAtTime(5000, length / SR);
    s.start();
    s.connect(b).connect(ctx.destination);
  });
  // The reference recomputes the coefficients every frame from the ramp.
  let [x1, x2, y1, y2] = [0, 0, 0, 0];
  for (let n = 0; n < length; n++) {
    const f = 100 + (4900 * n) / length;
    const [b0, b1, b2, a1, a2] = coefficients("lowpass", Math.fround(f), 1, 0, SR);
    const v = b0 * x[n] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
    [x2, x1, y2, y1] = [x1, x[n], y1, v];
    assertClose(y[n], v, 1e-4, `y[${n}]`);
  }
});
