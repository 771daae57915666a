import {
  assert,
  assertArrayEquals,
  assertEquals,
  assertThrows,
  render,
  test,
} from "./harness.js";

test("AudioNode is not constructible; subclasses are", () => {
  assertThrows(() => new AudioNode(), TypeError);
  assertThrows(() => new AudioScheduledSourceNode(), TypeError);
  assertThrows(() => new AudioDestinationNode(), TypeError);
  assertThrows(() => new GainNode(), TypeError);
  assertThrows(() => new GainNode({}), TypeError);
  const ctx = new OfflineAudioContext(1, 128, 48000);
  const g = new GainNode(ctx, { gain: 0.5, channelCount: 1, channelCountMode: "explicit", channelInterpretation: "discrete" });
  assert(g instanceof AudioNode && g instanceof EventTarget);
  assertEquals(g.context, ctx);
  assertEquals(g.numberOfInputs, 1);
  assertEquals(g.numberOfOutputs, 1);
  assertEquals(g.channelCount, 1);
  assertEquals(g.channelCountMode, "explicit");
  assertEquals(g.channelInterpretation, "discrete");
  assertEquals(g.gain.value, 0.5);
  assertThrows(() => new GainNode(ctx, { channelCount: 0 }), DOMException, "NotSupportedError");
  assertThrows(() => new GainNode(ctx, { channelCountMode: "bogus" }), TypeError);
});

test("channel attributes validate like the spec", () => {
  const ctx = new OfflineAudioContext(1, 128, 48000);
  const g = ctx.createGain();
  assertEquals(g.channelCount, 2);
  assertEquals(g.channelCountMode, "max");
  assertEquals(g.channelInterpretation, "speakers");
  g.channelCount = 6;
  assertEquals(g.channelCount, 6);
  assertThrows(() => (g.channelCount = 0), DOMException, "NotSupportedError");
  assertThrows(() => (g.channelCount = 33), DOMException, "NotSupportedError");
  assertEquals(g.channelCount, 6);
  g.channelCountMode = "bogus";
  assertEquals(g.channelCountMode, "max");
  g.channelCountMode = "clamped-max";
  assertEquals(g.channelCountMode, "clamped-max");
  g.channelInterpretation = "discrete";
  assertEquals(g.channelInterpretation, "discrete");
});

test("the offline destination's channel count is fixed", () => {
  const ctx = new OfflineAudioContext(2, 128, 48000);
  const d = ctx.destination;
  assertEquals(d.channelCount, 2);
  assertEquals(d.numberOfInputs, 1);
  assertEquals(d.numberOfOutputs, 1);
  assertEquals(d.maxChannelCount, 2);
  assertThrows(() => (d.channelCount = 1), DOMException, "InvalidStateError");
  assert(ctx.destination === d, "[SameObject]");
});

test("connect returns the destination and checks indices and contexts", () => {
  const ctx = new OfflineAudioContext(1, 128, 48000);
  const other = new OfflineAudioContext(1, 128, 48000);
  const a = ctx.createGain();
  const b = ctx.createGain();
  assert(a.connect(b) === b);
  assertEquals(a.connect(b.gain), undefined);
  assertThrows(() => a.connect(b, 1), DOMException, "IndexSizeError");
  assertThrows(() => a.connect(b, 0, 1), DOMException, "IndexSizeError");
  assertThrows(() => a.connect(b.gain, 1), DOMException, "IndexSizeError");
  assertThrows(() => a.connect(other.destination), DOMException, "InvalidAccessError");
  assertThrows(() => a.connect(other.createGain().gain), DOMException, "InvalidAccessError");
  assertThrows(() => a.connect({}), TypeError);
  assertThrows(() => a.connect(), TypeError);
});

test("every disconnect overload, and its exceptions", () => {
  const ctx = new OfflineAudioContext(1, 128, 48000);
  const a = ctx.createGain();
  const b = ctx.createGain();
  const c = ctx.createGain();
  a.connect(b);
  a.connect(c);
  a.connect(b.gain);
  a.disconnect(b);
  assertThrows(() => a.disconnect(b), DOMException, "InvalidAccessError");
  a.disconnect(c, 0);
  assertThrows(() => a.disconnect(c, 0), DOMException, "InvalidAccessError");
  assertThrows(() => a.disconnect(c, 1), DOMException, "IndexSizeError");
  a.connect(c);
  a.disconnect(c, 0, 0);
  assertThrows(() => a.disconnect(c, 0, 0), DOMException, "InvalidAccessError");
  assertThrows(() => a.disconnect(c, 0, 1), DOMException, "IndexSizeError");
  a.disconnect(b.gain);
  assertThrows(() => a.disconnect(b.gain), DOMException, "InvalidAccessError");
  a.connect(b.gain);
  a.disconnect(b.gain, 0);
  assertThrows(() => a.disconnect(b.gain, 1), DOMException, "IndexSizeError");
  a.connect(b);
  a.disconnect(0);
  assertThrows(() => a.disconnect(1), DOMException, "IndexSizeError");
  a.connect(b);
  a.disconnect();
  a.disconnect();
});

test("fan-in sums and a mono input up-mixes to stereo", async () => {
  const [left, right] = await render({ channels: 2, length: 128 }, (ctx) => {
    const a = new ConstantSourceNode(ctx, { offset: 0.25 });
    const b = new ConstantSourceNode(ctx, { offset: 0.5 });
    a.connect(ctx.destination);
    b.connect(ctx.destination);
    a.start();
    b.start();
  });
  assertEquals(left[0], 0.75);
  assertEquals(right[127], 0.75);
});

test("speakers down-mix of stereo to mono averages", async () => {
  const [out] = await render({ channels: 1, length: 128 }, (ctx) => {
    const merger = new GainNode(ctx, { channelCount: 2, channelCountMode: "explicit" });
    const l = new ConstantSourceNode(ctx, { offset: 1 });
    l.connect(merger);
    // A stereo signal: the same source up-mixed, then scaled per channel is not
    // available without a splitter, so use a 2-channel explicit gain feeding a
    // mono destination: (L + R) / 2 with L = R = 1.
    merger.connect(ctx.destination);
    l.start();
  });
  assertEquals(out[0], 1);
});

test("a disconnected node renders silence", async () => {
  const [out] = await render({ length: 128 }, (ctx) => {
    const src = new ConstantSourceNode(ctx);
    const g = ctx.createGain();
    src.connect(g).connect(ctx.destination);
    g.disconnect();
    src.start();
  });
  assert(out.every((v) => v === 0));
});

test("a cycle without a delay renders silence", async () => {
  const [out] = await render({ length: 256 }, (ctx) => {
    const src = new ConstantSourceNode(ctx);
    const a = ctx.createGain();
    const b = ctx.createGain();
    src.connect(a);
    a.connect(b);
    b.connect(a);
    b.connect(ctx.destination);
    src.start();
  });
  assert(out.every((v) => v === 0), "muted cycle");
});

test("offline rendering is bit-identical from run to run", async () => {
  const build = (ctx) => {
    const src = new ConstantSourceNode(ctx);
    const g = ctx.createGain();
    g.gain.setValueAtTime(0, 0);
    g.gain.linearRampToValueAtTime(1, 0.01);
    g.gain.setTargetAtTime(0.1, 0.012, 0.003);
    src.connect(g).connect(ctx.destination);
    src.start(0.001);
    src.stop(0.02);
  };
  const [a] = await render({ length: 1024 }, build);
  const [b] = await render({ length: 1024 }, build);
  assertArrayEquals(a, b);
});
