import { assert, assertEquals, assertThrows, render, test } from "./harness.js";

const SR = 48000;

test("DelayNode constructor options, defaults and createDelay", () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  const d = new DelayNode(ctx);
  assertEquals(d.delayTime.value, 0);
  assertEquals(d.delayTime.defaultValue, 0);
  assertEquals(d.delayTime.minValue, 0);
  assertEquals(d.delayTime.maxValue, 1);
  assertEquals(d.numberOfInputs, 1);
  assertEquals(d.numberOfOutputs, 1);
  assertEquals(d.channelCount, 2);
  assertEquals(d.channelCountMode, "max");
  assertEquals(d.channelInterpretation, "speakers");
  assert(d.delayTime === d.delayTime, "[SameObject] delayTime");
  const e = new DelayNode(ctx, {
    maxDelayTime: 3,
    delayTime: 0.5,
    channelCount: 1,
    channelCountMode: "explicit",
    channelInterpretation: "discrete",
  });
  assertEquals(e.delayTime.value, 0.5);
  assertEquals(e.delayTime.maxValue, 3);
  assertEquals(e.channelCount, 1);
  assertEquals(e.channelCountMode, "explicit");
  assertEquals(e.channelInterpretation, "discrete");
  const f = ctx.createDelay(2.5);
  assert(f instanceof DelayNode);
  assertEquals(f.delayTime.maxValue, 2.5);
  assertEquals(ctx.createDelay().delayTime.maxValue, 1);
  assertThrows(() => new DelayNode(), TypeError);
  assertThrows(() => new DelayNode({}), TypeError);
});

test("maxDelayTime must be in (0, 180): NotSupportedError", () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  for (const bad of [0, -1, 180, 1000]) {
    assertThrows(() => new DelayNode(ctx, { maxDelayTime: bad }), DOMException, "NotSupportedError");
    assertThrows(() => ctx.createDelay(bad), DOMException, "NotSupportedError");
  }
  assertThrows(() => ctx.createDelay(NaN), TypeError);
  assertEquals(ctx.createDelay(179.9).delayTime.maxValue, Math.fround(179.9));
  assertThrows(() => new DelayNode(ctx, { channelCount: 0 }), DOMException, "NotSupportedError");
});

test("delayTime delays the input by round(delayTime * sampleRate) frames", async () => {
  const delay = 100;
  const n = 1024;
  const signal = new Float32Array(n);
  for (let i = 0; i < n; i++) signal[i] = Math.sin(i * 0.05) + 0.25;
  const [out] = await render({ length: n }, (ctx) => {
    const buf = new AudioBuffer({ length: n, sampleRate: SR });
    buf.copyToChannel(signal, 0);
    const src = new AudioBufferSourceNode(ctx, { buffer: buf });
    const d = new DelayNode(ctx, { delayTime: delay / SR });
    src.connect(d).connect(ctx.destination);
    src.start();
  });
  for (let i = 0; i < n; i++) {
    const expected = i < delay ? 0 : signal[i - delay];
    if (Math.abs(out[i] - expected) > 1e-6) {
      throw new Error(`frame ${i}: expected ${expected}, got ${out[i]}`);
    }
  }
});

test("a DelayNode in a cycle delays by at least one quantum", async () => {
  // Feedback loop: an impulse through gain 0.5 recirculates every 128 frames.
  const [out] = await render({ length: 1024 }, (ctx) => {
    const buf = new AudioBuffer({ length: 1, sampleRate: SR });
    buf.getChannelData(0)[0] = 1;
    const src = new AudioBufferSourceNode(ctx, { buffer: buf });
    const d = new DelayNode(ctx, { delayTime: 0 });
    const g = new GainNode(ctx, { gain: 0.5 });
    src.connect(d);
    d.connect(g).connect(d);
    d.connect(ctx.destination);
    src.start();
  });
  assertEquals(out[0], 0, "the loop delay is clamped to one quantum");
  assertEquals(out[128], 1);
  assertEquals(out[256], 0.5);
  assertEquals(out[384], 0.25);
  assertEquals(out[129], 0);
});
