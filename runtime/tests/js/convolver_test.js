import {
  assert,
  assertClose,
  assertEquals,
  assertThrows,
  render,
  test,
} from "./harness.js";

function bufferOf(ctx, channels) {
  const b = ctx.createBuffer(channels.length, channels[0].length, ctx.sampleRate);
  channels.forEach((c, i) => b.copyToChannel(Float32Array.from(c), i));
  return b;
}

// The spec's calculateNormalizationScale.
function normalizationScale(channels, sampleRate) {
  let power = 0;
  for (const ch of channels) for (const s of ch) power += Math.fround(s) * Math.fround(s);
  power = Math.sqrt(power / (channels.length * channels[0].length));
  if (!isFinite(power) || isNaN(power) || power < 0.000125) power = 0.000125;
  let scale = (1 / power) * 0.00125 * (44100 / sampleRate);
  if (channels.length === 4) scale *= 0.5;
  return scale;
}

test("ConvolverNode: construction, defaults and options", () => {
  const ctx = new OfflineAudioContext(1, 128, 48000);
  const c = new ConvolverNode(ctx);
  assert(c instanceof AudioNode);
  assertEquals(c.buffer, null);
  assertEquals(c.normalize, true);
  assertEquals(c.channelCount, 2);
  assertEquals(c.channelCountMode, "clamped-max");
  assertEquals(c.channelInterpretation, "speakers");
  assertEquals(c.numberOfInputs, 1);
  assertEquals(c.numberOfOutputs, 1);
  const b = ctx.createBuffer(2, 16, 48000);
  const d = new ConvolverNode(ctx, {
    buffer: b,
    disableNormalization: true,
    channelCount: 1,
    channelCountMode: "explicit",
    channelInterpretation: "discrete",
  });
  assertEquals(d.buffer, b);
  assertEquals(d.normalize, false);
  assertEquals(d.channelCount, 1);
  assertEquals(d.channelCountMode, "explicit");
  assertEquals(d.channelInterpretation, "discrete");
  assert(ctx.createConvolver() instanceof ConvolverNode);
  assertThrows(() => new ConvolverNode(), TypeError);
  assertThrows(() => new ConvolverNode({}), TypeError);
  assertThrows(() => new ConvolverNode(ctx, { buffer: 3 }), TypeError);
  assertEquals(new ConvolverNode(ctx, { buffer: null }).buffer, null);
});

test("ConvolverNode: exceptions", () => {
  const ctx = new OfflineAudioContext(1, 128, 48000);
  const c = ctx.createConvolver();
  assertThrows(() => (c.channelCount = 3), DOMException, "NotSupportedError");
  assertThrows(() => (c.channelCountMode = "max"), DOMException, "NotSupportedError");
  c.channelCount = 1;
  c.channelCountMode = "explicit";
  assertEquals(c.channelCount, 1);
  assertEquals(c.channelCountMode, "explicit");
  assertThrows(() => new ConvolverNode(ctx, { channelCount: 3 }), DOMException, "NotSupportedError");
  assertThrows(() => new ConvolverNode(ctx, { channelCountMode: "max" }), DOMException, "NotSupportedError");
  for (const n of [3, 5]) {
    assertThrows(() => (c.buffer = ctx.createBuffer(n, 8, 48000)), DOMException, "NotSupportedError");
    assertThrows(() => new ConvolverNode(ctx, { buffer: ctx.createBuffer(n, 8, 48000) }), DOMException, "NotSupportedError");
  }
  assertThrows(() => (c.buffer = ctx.createBuffer(1, 8, 44100)), DOMException, "NotSupportedError");
  assertEquals(c.buffer, null);
  for (const n of [1, 2, 4]) {
    const b = ctx.createBuffer(n, 8, 48000);
    c.buffer = b;
    assertEquals(c.buffer, b);
  }
  c.buffer = null;
  assertEquals(c.buffer, null);
  assertThrows(() => (c.buffer = {}), TypeError);
  c.normalize = 0;
  assertEquals(c.normalize, false);
});

function convolve(x, h, scale) {
  const y = new Float32Array(x.length);
  for (let n = 0; n < x.length; n++) {
    let acc = 0;
    for (let k = 0; k < h.length && k <= n; k++) acc += x[n - k] * h[k];
    y[n] = acc * scale;
  }
  return y;
}

const input = Array.from({ length: 512 }, (_, i) => Math.sin(i * 0.05) * 0.5);
const ir = Array.from({ length: 300 }, (_, i) => Math.exp(-i / 40) * Math.cos(i * 0.3));

for (const normalize of [false, true]) {
  test(`ConvolverNode renders the convolution (normalize ${normalize})`, async () => {
    const [y] = await render({ length: 512 }, (ctx) => {
      const src = steppedSource(ctx);
      const c = new ConvolverNode(ctx, { disableNormalization: !normalize });
      c.buffer = bufferOf(ctx, [ir]);
      src.connect(c).connect(ctx.destination);
    });
    const scale = normalize ? normalizationScale([ir], 48000) : 1;
    const expected = convolve(input, ir.map(Math.fround), scale);
    for (let i = 0; i < 512; i++) assertClose(y[i], expected[i], 1e-4 * Math.max(1, scale), `frame ${i}`);
  });
}

// normalize changes take effect at the next buffer assignment only.
test("ConvolverNode: normalize applies when the buffer is set", async () => {
  const [y] = await render({ length: 256 }, (ctx) => {
    const src = steppedSource(ctx);
    const c = new ConvolverNode(ctx, { disableNormalization: true });
    c.buffer = bufferOf(ctx, [ir]);
    c.normalize = true;
    src.connect(c).connect(ctx.destination);
  });
  const expected = convolve(input, ir.map(Math.fround), 1);
  for (let i = 0; i < 256; i++) assertClose(y[i], expected[i], 1e-4, `frame ${i}`);
});

test("ConvolverNode: stereo IR on mono input gives stereo output", async () => {
  const irR = ir.map((v, i) => (i % 3 === 0 ? -v : v * 0.5));
  const [l, r] = await render({ channels: 2, length: 256 }, (ctx) => {
    const src = steppedSource(ctx);
    const c = new ConvolverNode(ctx, { disableNormalization: true });
    c.buffer = bufferOf(ctx, [ir, irR]);
    src.connect(c).connect(ctx.destination);
  });
  const el = convolve(input, ir.map(Math.fround), 1);
  const er = convolve(input, irR.map(Math.fround), 1);
  for (let i = 0; i < 256; i++) {
    assertClose(l[i], el[i], 1e-4, `L ${i}`);
    assertClose(r[i], er[i], 1e-4, `R ${i}`);
  }
});

test("ConvolverNode without a buffer outputs silence", async () => {
  const [y] = await render({ length: 256 }, (ctx) => {
    const src = steppedSource(ctx);
    src.connect(ctx.createConvolver()).connect(ctx.destination);
  });
  assert(y.every((v) => v === 0));
});

// A source playing `input` frame by frame, from nodes bound on main: a
// ConstantSourceNode with one setValueAtTime per frame (a value curve
// would interpolate between samples).
function steppedSource(ctx) {
  const s = new ConstantSourceNode(ctx, { offset: 0 });
  for (let i = 0; i < input.length; i++) {
    s.offset.setValueAtTime(input[i], i / ctx.sampleRate);
  }
  s.start();
  return s;
}
