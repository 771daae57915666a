import { assert, assertEquals, assertThrows, render, test } from "./harness.js";

const SR = 48000;

test("StereoPannerNode defaults, options and channel rules", () => {
  const ctx = new OfflineAudioContext(2, 128, SR);
  const p = new StereoPannerNode(ctx);
  assertEquals(p.pan.value, 0);
  assertEquals(p.pan.minValue, -1);
  assertEquals(p.pan.maxValue, 1);
  assertEquals(p.pan.automationRate, "a-rate");
  assertEquals(p.channelCount, 2);
  assertEquals(p.channelCountMode, "clamped-max");
  assertEquals(p.channelInterpretation, "speakers");
  assert(p.pan === p.pan, "[SameObject]");
  const q = new StereoPannerNode(ctx, { pan: -0.5, channelCount: 1, channelCountMode: "explicit" });
  assertEquals(q.pan.value, -0.5);
  assertEquals(q.channelCount, 1);
  assertEquals(q.channelCountMode, "explicit");
  assertThrows(() => new StereoPannerNode(ctx, { channelCount: 3 }), DOMException, "NotSupportedError");
  assertThrows(() => new StereoPannerNode(ctx, { channelCount: 0 }), DOMException, "NotSupportedError");
  assertThrows(() => new StereoPannerNode(ctx, { channelCountMode: "max" }), DOMException, "NotSupportedError");
  assertThrows(() => { p.channelCount = 3; }, DOMException, "NotSupportedError");
  assertThrows(() => { p.channelCountMode = "max"; }, DOMException, "NotSupportedError");
  p.channelInterpretation = "discrete";
  assertEquals(p.channelInterpretation, "discrete");
  assert(ctx.createStereoPanner() instanceof StereoPannerNode);
});

test("StereoPannerNode pans mono and stereo input with the equal-power law", async () => {
  const pan = 0.3;
  const [l, r, l2, r2] = await render({ channels: 4, length: 128 }, (ctx) => {
    const merger = new ChannelMergerNode(ctx, { numberOfInputs: 4 });
    merger.connect(ctx.destination);
    // Mono input 1: x = (pan + 1) / 2.
    const mono = new ConstantSourceNode(ctx, { offset: 1 });
    const p1 = new StereoPannerNode(ctx, { pan });
    mono.connect(p1);
    const s1 = new ChannelSplitterNode(ctx, { numberOfOutputs: 2 });
    p1.connect(s1);
    s1.connect(merger, 0, 0);
    s1.connect(merger, 1, 1);
    // Stereo input (0.5, 0.25), pan > 0: x = pan.
    const left = new ConstantSourceNode(ctx, { offset: 0.5 });
    const right = new ConstantSourceNode(ctx, { offset: 0.25 });
    const m2 = new ChannelMergerNode(ctx, { numberOfInputs: 2 });
    left.connect(m2, 0, 0);
    right.connect(m2, 0, 1);
    const p2 = new StereoPannerNode(ctx, { pan });
    m2.connect(p2);
    const s2 = new ChannelSplitterNode(ctx, { numberOfOutputs: 2 });
    p2.connect(s2);
    s2.connect(merger, 0, 2);
    s2.connect(merger, 1, 3);
    for (const s of [mono, left, right]) s.start();
  });
  const x1 = (pan + 1) / 2;
  const tol = 1e-6;
  assert(Math.abs(l[0] - Math.cos(x1 * Math.PI / 2)) < tol, `mono left ${l[0]}`);
  assert(Math.abs(r[0] - Math.sin(x1 * Math.PI / 2)) < tol, `mono right ${r[0]}`);
  const gl = Math.cos(pan * Math.PI / 2);
  const gr = Math.sin(pan * Math.PI / 2);
  assert(Math.abs(l2[100] - 0.5 * gl) < tol, `stereo left ${l2[100]}`);
  assert(Math.abs(r2[100] - (0.25 + 0.5 * gr)) < tol, `stereo right ${r2[100]}`);
});

test("ChannelSplitterNode options and fixed channel attributes", () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  const s = new ChannelSplitterNode(ctx);
  assertEquals(s.numberOfInputs, 1);
  assertEquals(s.numberOfOutputs, 6);
  assertEquals(s.channelCount, 6);
  assertEquals(s.channelCountMode, "explicit");
  assertEquals(s.channelInterpretation, "discrete");
  const t = new ChannelSplitterNode(ctx, { numberOfOutputs: 3, channelCount: 3 });
  assertEquals(t.numberOfOutputs, 3);
  assertEquals(t.channelCount, 3);
  assertEquals(ctx.createChannelSplitter(32).numberOfOutputs, 32);
  assertEquals(ctx.createChannelSplitter().numberOfOutputs, 6);
  assertThrows(() => ctx.createChannelSplitter(0), DOMException, "IndexSizeError");
  assertThrows(() => ctx.createChannelSplitter(33), DOMException, "IndexSizeError");
  assertThrows(() => new ChannelSplitterNode(ctx, { numberOfOutputs: 0 }), DOMException, "IndexSizeError");
  assertThrows(() => new ChannelSplitterNode(ctx, { channelCount: 2 }), DOMException, "InvalidStateError");
  assertThrows(() => new ChannelSplitterNode(ctx, { channelCountMode: "max" }), DOMException, "InvalidStateError");
  assertThrows(() => new ChannelSplitterNode(ctx, { channelInterpretation: "speakers" }), DOMException, "InvalidStateError");
  assertThrows(() => { s.channelCount = 2; }, DOMException, "InvalidStateError");
  assertThrows(() => { s.channelCountMode = "max"; }, DOMException, "InvalidStateError");
  assertThrows(() => { s.channelInterpretation = "speakers"; }, DOMException, "InvalidStateError");
  s.channelCount = 6;
  s.channelCountMode = "explicit";
  s.channelInterpretation = "discrete";
});

test("ChannelMergerNode options and fixed channel attributes", () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  const m = new ChannelMergerNode(ctx);
  assertEquals(m.numberOfInputs, 6);
  assertEquals(m.numberOfOutputs, 1);
  assertEquals(m.channelCount, 1);
  assertEquals(m.channelCountMode, "explicit");
  assertEquals(m.channelInterpretation, "speakers");
  assertEquals(ctx.createChannelMerger(32).numberOfInputs, 32);
  assertEquals(ctx.createChannelMerger().numberOfInputs, 6);
  assertThrows(() => ctx.createChannelMerger(0), DOMException, "IndexSizeError");
  assertThrows(() => ctx.createChannelMerger(33), DOMException, "IndexSizeError");
  assertThrows(() => new ChannelMergerNode(ctx, { numberOfInputs: 33 }), DOMException, "IndexSizeError");
  assertThrows(() => new ChannelMergerNode(ctx, { channelCount: 2 }), DOMException, "InvalidStateError");
  assertThrows(() => new ChannelMergerNode(ctx, { channelCountMode: "max" }), DOMException, "InvalidStateError");
  assertThrows(() => { m.channelCount = 2; }, DOMException, "InvalidStateError");
  assertThrows(() => { m.channelCountMode = "clamped-max"; }, DOMException, "InvalidStateError");
  m.channelInterpretation = "discrete";
  assertEquals(m.channelInterpretation, "discrete");
});

test("splitter then merger routes channels; merger inputs are down-mixed to mono", async () => {
  const out = await render({ channels: 3, length: 128 }, (ctx) => {
    const a = new ConstantSourceNode(ctx, { offset: 0.5 });
    const b = new ConstantSourceNode(ctx, { offset: 0.25 });
    const stereo = new ChannelMergerNode(ctx, { numberOfInputs: 2 });
    a.connect(stereo, 0, 0);
    b.connect(stereo, 0, 1);
    const split = new ChannelSplitterNode(ctx, { numberOfOutputs: 2 });
    stereo.connect(split);
    const merger = new ChannelMergerNode(ctx, { numberOfInputs: 3 });
    split.connect(merger, 1, 0); // swapped
    split.connect(merger, 0, 1);
    stereo.connect(merger, 0, 2); // stereo -> mono: (L + R) / 2
    merger.connect(ctx.destination);
    a.start();
    b.start();
  });
  assertEquals(out[0][5], 0.25);
  assertEquals(out[1][5], 0.5);
  assertEquals(out[2][5], 0.375);
});
