import { assert, assertEquals, assertThrows, render, test } from "./harness.js";

const SR = 48000;

test("createScriptProcessor arguments and exceptions", () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  const d = ctx.createScriptProcessor();
  assertEquals(d.bufferSize, 1024); // 0 = implementation's choice: 1024
  assertEquals(d.channelCount, 2);
  assertEquals(d.channelCountMode, "explicit");
  assertEquals(d.numberOfInputs, 1);
  assertEquals(d.numberOfOutputs, 1);
  assertEquals(d.onaudioprocess, null);
  for (const size of [256, 512, 1024, 2048, 4096, 8192, 16384]) {
    assertEquals(ctx.createScriptProcessor(size, 1, 1).bufferSize, size);
  }
  for (const size of [1, 128, 255, 257, 1000, 32768, -1]) {
    assertThrows(() => ctx.createScriptProcessor(size), DOMException, "IndexSizeError");
  }
  assertThrows(() => ctx.createScriptProcessor(256, 0, 0), DOMException, "IndexSizeError");
  assertThrows(() => ctx.createScriptProcessor(256, 33, 1), DOMException, "IndexSizeError");
  assertThrows(() => ctx.createScriptProcessor(256, 1, 33), DOMException, "IndexSizeError");
  assertEquals(ctx.createScriptProcessor(256, 32, 0).channelCount, 32);
  assertEquals(ctx.createScriptProcessor(256, 3, 1).channelCount, 3);
  assert(d instanceof ScriptProcessorNode);
  assert(d instanceof AudioNode);
  assertThrows(() => new ScriptProcessorNode(), TypeError);
});

test("channelCount and channelCountMode cannot change", () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  const n = ctx.createScriptProcessor(256, 2, 2);
  assertThrows(() => { n.channelCount = 1; }, DOMException, "NotSupportedError");
  assertThrows(() => { n.channelCount = 3; }, DOMException, "NotSupportedError");
  n.channelCount = 2;
  assertThrows(() => { n.channelCountMode = "max"; }, DOMException, "NotSupportedError");
  assertThrows(() => { n.channelCountMode = "clamped-max"; }, DOMException, "NotSupportedError");
  n.channelCountMode = "explicit";
  n.channelInterpretation = "discrete";
  assertEquals(n.channelInterpretation, "discrete");
});

test("AudioProcessingEvent constructor", () => {
  const inputBuffer = new AudioBuffer({ length: 4, sampleRate: SR });
  const outputBuffer = new AudioBuffer({ length: 4, sampleRate: SR, numberOfChannels: 2 });
  const e = new AudioProcessingEvent("audioprocess", {
    playbackTime: 1.5,
    inputBuffer,
    outputBuffer,
  });
  assert(e instanceof Event);
  assertEquals(e.type, "audioprocess");
  assertEquals(e.playbackTime, 1.5);
  assert(e.inputBuffer === inputBuffer);
  assert(e.outputBuffer === outputBuffer);
  assertThrows(() => new AudioProcessingEvent("x"), TypeError);
  assertThrows(() => new AudioProcessingEvent("x", { playbackTime: 0, inputBuffer }), TypeError);
  assertThrows(
    () => new AudioProcessingEvent("x", { playbackTime: 0, inputBuffer, outputBuffer: 1 }),
    TypeError,
  );
});

test("offline render: output = input * 0.5, two buffers late, sample exact", async () => {
  const bs = 256;
  const length = 4096;
  const ctx = new OfflineAudioContext(1, length, SR);
  // A source with a distinct value at every frame.
  const src = new AudioBuffer({ length, sampleRate: SR });
  const x = src.getChannelData(0);
  for (let i = 0; i < length; i++) x[i] = Math.fround(Math.sin(i * 0.01) * 0.9);
  // AudioBufferSourceNode is not bound in this branch: a first
  // ScriptProcessorNode plays the signal into the node under test.
  const gen = ctx.createScriptProcessor(bs, 1, 1);
  let genFrame = 0;
  gen.onaudioprocess = (e) => {
    const out = e.outputBuffer.getChannelData(0);
    for (let i = 0; i < bs; i++) out[i] = x[genFrame + i] ?? 0;
    genFrame += bs;
  };
  const spn = ctx.createScriptProcessor(bs, 1, 1);
  const times = [];
  spn.onaudioprocess = (e) => {
    times.push(e.playbackTime);
    assertEquals(e.inputBuffer.length, bs);
    assertEquals(e.outputBuffer.length, bs);
    assertEquals(e.inputBuffer.numberOfChannels, 1);
    const i = e.inputBuffer.getChannelData(0);
    const o = e.outputBuffer.getChannelData(0);
    for (let k = 0; k < bs; k++) o[k] = i[k] * 0.5;
  };
  // A ConstantSource keeps the generator's input active.
  new ConstantSourceNode(ctx).connect(gen);
  gen.connect(spn).connect(ctx.destination);
  const out = (await ctx.startRendering()).getChannelData(0);
  const delay = 4 * bs; // two buffers per node
  for (let i = 0; i < length; i++) {
    const expected = i < delay ? 0 : Math.fround(x[i - delay] * 0.5);
    if (out[i] !== expected) {
      throw new Error(`frame ${i}: ${out[i]} !== ${expected}`);
    }
  }
  assertEquals(times.length, length / bs);
  for (let k = 0; k < times.length; k++) {
    assertEquals(times[k], ((k + 2) * bs) / SR);
  }
});

test("no listener: output is silence and rendering completes", async () => {
  const [out] = await render({ length: 2048 }, (ctx) => {
    const c = new ConstantSourceNode(ctx);
    c.start();
    c.connect(ctx.createScriptProcessor(256, 1, 1)).connect(ctx.destination);
  });
  assert(out.every((v) => v === 0));
});

test("multi-channel buffers and addEventListener", async () => {
  const bs = 512;
  const ctx = new OfflineAudioContext(2, 4 * bs, SR);
  const n = ctx.createScriptProcessor(bs, 3, 2);
  let calls = 0;
  n.addEventListener("audioprocess", (e) => {
    calls++;
    assertEquals(e.inputBuffer.numberOfChannels, 3);
    assertEquals(e.outputBuffer.numberOfChannels, 2);
    e.outputBuffer.getChannelData(0).fill(0.25);
    e.outputBuffer.getChannelData(1).fill(-0.5);
  });
  n.connect(ctx.destination);
  const r = await ctx.startRendering();
  assertEquals(calls, 4);
  const l = r.getChannelData(0);
  const rr = r.getChannelData(1);
  for (let i = 0; i < 4 * bs; i++) {
    assertEquals(l[i], i < 2 * bs ? 0 : 0.25);
    assertEquals(rr[i], i < 2 * bs ? 0 : -0.5);
  }
});

test("a realtime node with a listener and a connection keeps running", async () => {
  const ctx = new AudioContext({ sinkId: { type: "none" } });
  const n = ctx.createScriptProcessor(256, 1, 1);
  let calls = 0;
  const done = new Promise((resolve) => {
    n.onaudioprocess = () => {
      if (++calls === 4) resolve();
    };
  });
  n.connect(ctx.destination);
  await done;
  n.onaudioprocess = null;
  await ctx.close();
  assert(calls >= 4);
});
