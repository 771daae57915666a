import { assert, assertEquals, assertThrows, render, test } from "./harness.js";

const SR = 48000;

function ramp(length, channels = 1, sampleRate = SR) {
  const b = new AudioBuffer({ length, sampleRate, numberOfChannels: channels });
  for (let c = 0; c < channels; c++) {
    const d = b.getChannelData(c);
    for (let i = 0; i < length; i++) d[i] = (i + 1) * (c === 0 ? 1 : -1) / 1024;
  }
  return b;
}

test("AudioBufferSourceNode defaults, options and attributes", () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  const s = new AudioBufferSourceNode(ctx);
  assertEquals(s.buffer, null);
  assertEquals(s.loop, false);
  assertEquals(s.loopStart, 0);
  assertEquals(s.loopEnd, 0);
  assertEquals(s.playbackRate.value, 1);
  assertEquals(s.playbackRate.automationRate, "k-rate");
  assertEquals(s.detune.value, 0);
  assertEquals(s.detune.automationRate, "k-rate");
  assertEquals(s.numberOfInputs, 0);
  assertEquals(s.numberOfOutputs, 1);
  assert(s.playbackRate === s.playbackRate && s.detune === s.detune, "[SameObject]");
  const b = ramp(16);
  const t = new AudioBufferSourceNode(ctx, {
    buffer: b,
    detune: 10,
    loop: true,
    loopStart: 0.25,
    loopEnd: 0.5,
    playbackRate: 2,
  });
  assert(t.buffer === b);
  assertEquals(t.detune.value, 10);
  assertEquals(t.loop, true);
  assertEquals(t.loopStart, 0.25);
  assertEquals(t.loopEnd, 0.5);
  assertEquals(t.playbackRate.value, 2);
  t.loop = false;
  t.loopStart = 1.5;
  t.loopEnd = -2;
  assertEquals(t.loop, false);
  assertEquals(t.loopStart, 1.5);
  assertEquals(t.loopEnd, -2);
  assertThrows(() => { t.loopStart = NaN; }, TypeError);
  assertThrows(() => { t.loopEnd = Infinity; }, TypeError);
  assertThrows(() => new AudioBufferSourceNode(ctx, { loopStart: NaN }), TypeError);
  assertThrows(() => new AudioBufferSourceNode(ctx, { buffer: {} }), TypeError);
  assert(ctx.createBufferSource() instanceof AudioBufferSourceNode);
});

test("playbackRate and detune stay k-rate (InvalidStateError)", () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  const s = new AudioBufferSourceNode(ctx);
  assertThrows(() => { s.playbackRate.automationRate = "a-rate"; }, DOMException, "InvalidStateError");
  assertThrows(() => { s.detune.automationRate = "a-rate"; }, DOMException, "InvalidStateError");
  assertEquals(s.playbackRate.automationRate, "k-rate");
});

test("buffer can be set once (null does not count)", () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  const s = new AudioBufferSourceNode(ctx);
  s.buffer = null;
  const b = ramp(8);
  s.buffer = b;
  assert(s.buffer === b);
  assertThrows(() => { s.buffer = ramp(8); }, DOMException, "InvalidStateError");
  assert(s.buffer === b);
  s.buffer = null;
  assertEquals(s.buffer, null);
  assertThrows(() => { s.buffer = b; }, DOMException, "InvalidStateError");
  assertThrows(() => { s.buffer = 3; }, TypeError);
  const t = new AudioBufferSourceNode(ctx, { buffer: b });
  assertThrows(() => { t.buffer = b; }, DOMException, "InvalidStateError");
});

test("start(when, offset, duration) checks", () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  const s = new AudioBufferSourceNode(ctx);
  assertThrows(() => s.stop(), DOMException, "InvalidStateError");
  assertThrows(() => s.start(-1), RangeError);
  assertThrows(() => s.start(0, -1), RangeError);
  assertThrows(() => s.start(0, 0, -1), RangeError);
  assertThrows(() => s.start(NaN), TypeError);
  assertThrows(() => s.start(0, Infinity), TypeError);
  assertThrows(() => s.start(0, 0, NaN), TypeError);
  s.start(0, 0, 1);
  assertThrows(() => s.start(), DOMException, "InvalidStateError");
  assertThrows(() => s.start(0, -1), DOMException, "InvalidStateError");
  assertThrows(() => s.stop(-1), RangeError);
  s.stop(1);
});

test("plays the buffer from round(when·sr) with offset and duration, then ends", async () => {
  const b = ramp(256, 2);
  const ctx = new OfflineAudioContext(2, 1024, SR);
  const s = new AudioBufferSourceNode(ctx, { buffer: b });
  s.connect(ctx.destination);
  // start at frame 100, from buffer frame 10, for 50 frames.
  s.start(100 / SR, 10 / SR, 50 / SR);
  let ended = 0;
  s.onended = () => ended++;
  const r = await ctx.startRendering();
  await new Promise((res) => setTimeout(res, 20));
  assertEquals(ended, 1);
  for (let c = 0; c < 2; c++) {
    const out = r.getChannelData(c);
    const src = b.getChannelData(c);
    for (let i = 0; i < 1024; i++) {
      const expected = i >= 100 && i < 150 ? src[i - 100 + 10] : 0;
      assertEquals(out[i], expected, `channel ${c} frame ${i}`);
    }
  }
});

test("the content is acquired at start(): later writes do not play", async () => {
  const [out] = await render({ length: 256 }, (ctx) => {
    const b = ramp(64);
    const s = new AudioBufferSourceNode(ctx);
    s.buffer = b;
    b.getChannelData(0)[0] = 7; // before start: plays
    s.connect(ctx.destination);
    s.start();
    b.getChannelData(0)[1] = 9; // after start: does not
    b.copyToChannel(new Float32Array([5, 5, 5]), 0, 2);
  });
  assertEquals(out[0], 7);
  assertEquals(out[1], Math.fround(2 / 1024));
  assertEquals(out[2], Math.fround(3 / 1024));
  assertEquals(out[64], 0);
});

test("a buffer set after start() plays", async () => {
  const [out] = await render({ length: 256 }, (ctx) => {
    const s = new AudioBufferSourceNode(ctx);
    s.connect(ctx.destination);
    s.start();
    s.buffer = ramp(32);
  });
  for (let i = 0; i < 32; i++) assertEquals(out[i], Math.fround((i + 1) / 1024));
  assertEquals(out[32], 0);
});

test("loop between loopStart and loopEnd", async () => {
  const b = ramp(100);
  const [out] = await render({ length: 512 }, (ctx) => {
    const s = new AudioBufferSourceNode(ctx, {
      buffer: b,
      loop: true,
      loopStart: 20 / SR,
      loopEnd: 60 / SR,
    });
    s.connect(ctx.destination);
    s.start();
  });
  const src = b.getChannelData(0);
  for (let i = 0; i < 512; i++) {
    const k = i < 60 ? i : 20 + ((i - 60) % 40);
    assertEquals(out[i], src[k], `frame ${i}`);
  }
});

test("playbackRate · 2^(detune/1200) resamples with linear interpolation", async () => {
  const b = ramp(256);
  const [out] = await render({ length: 256 }, (ctx) => {
    const s = new AudioBufferSourceNode(ctx, { buffer: b, playbackRate: 1, detune: -1200 });
    s.connect(ctx.destination);
    s.start();
  });
  const src = b.getChannelData(0);
  // rate 0.5: frame i reads buffer position i/2.
  for (let i = 0; i < 200; i++) {
    const p = i / 2;
    const k = Math.floor(p);
    const expected = src[k] + (src[k + 1] - src[k]) * (p - k);
    assert(Math.abs(out[i] - expected) < 1e-6, `frame ${i}: expected ${expected}, got ${out[i]}`);
  }
});
