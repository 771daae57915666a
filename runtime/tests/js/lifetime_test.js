// flags: --allow-read=/proc/self/status
// What a script can still do with a graph once its context is done, what a
// finished context costs, and sizes that cannot be allocated.

import {
  assert,
  assertEquals,
  assertRejects,
  assertThrows,
  test,
} from "./harness.js";

async function processStatus() {
  const text = await (await fetch("file:///proc/self/status")).text();
  const field = (name) => Number(text.match(new RegExp(`${name}:\\s+(\\d+)`))[1]);
  return { threads: field("Threads"), rssKiB: field("VmRSS") };
}

test("after startRendering every node, edge and param behaves as before", async () => {
  const ctx = new OfflineAudioContext(1, 512, 8000);
  const source = ctx.createConstantSource();
  const gain = ctx.createGain();
  const lfo = ctx.createConstantSource();
  source.connect(gain).connect(ctx.destination);
  lfo.connect(gain.gain);
  gain.gain.value = 0.5;
  source.start(0);
  source.stop(0.01);
  lfo.start(0);
  const ended = [];
  // What standardized-audio-context does for every source.
  source.onended = () => {
    source.disconnect(gain);
    ended.push("disconnected");
  };
  const buffer = await ctx.startRendering();
  assertEquals(buffer.getChannelData(0)[0], 1.5);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assertEquals(ended.length, 1, "ended fired and its disconnect worked");
  assertEquals(ctx.state, "closed");
  // Every edge is still there exactly once.
  assertThrows(() => source.disconnect(gain), DOMException, "InvalidAccessError");
  lfo.disconnect(gain.gain);
  assertThrows(() => lfo.disconnect(gain.gain), DOMException, "InvalidAccessError");
  gain.disconnect(ctx.destination);
  assertThrows(() => gain.disconnect(ctx.destination), DOMException, "InvalidAccessError");
  // New edges, params and nodes work as on any context.
  gain.connect(ctx.destination);
  gain.disconnect();
  assertEquals(gain.gain.value, 0.5);
  gain.gain.value = 0.25;
  assertEquals(gain.gain.value, 0.25);
  gain.gain.setValueAtTime(1, 1).linearRampToValueAtTime(0, 2);
  const late = ctx.createOscillator();
  late.connect(gain);
  late.disconnect(gain);
  assertEquals(late.frequency.value, 440);
  assertThrows(() => source.start(), DOMException, "InvalidStateError");
});

test("ended sources stay connected for script on a running context", async () => {
  const ctx = new AudioContext({ sinkId: { type: "none" } });
  const gain = ctx.createGain();
  gain.connect(ctx.destination);
  const sources = [];
  for (let i = 0; i < 50; i++) {
    const s = ctx.createOscillator();
    s.connect(gain);
    s.start();
    s.stop(ctx.currentTime + 0.005);
    sources.push(s);
  }
  await Promise.all(sources.map((s) => new Promise((resolve) => (s.onended = resolve))));
  // Ended and gone from the render graph, but every edge is where JS put it.
  for (const s of sources) s.disconnect(gain);
  for (const s of sources) {
    assertThrows(() => s.disconnect(gain), DOMException, "InvalidAccessError");
  }
  // A later node never shares an engine id with a live one: its events are
  // its own.
  const fresh = ctx.createConstantSource();
  fresh.connect(gain);
  fresh.start();
  fresh.stop(ctx.currentTime + 0.005);
  let count = 0;
  for (const s of sources) s.onended = () => count++;
  await new Promise((resolve) => (fresh.onended = resolve));
  assertEquals(count, 0, "no stale ended event");
  await ctx.close();
  gain.disconnect(ctx.destination);
  assertThrows(() => gain.disconnect(ctx.destination), DOMException, "InvalidAccessError");
});

test("finished offline contexts keep no thread and flat memory", async () => {
  const render = async () => {
    const ctx = new OfflineAudioContext(1, 4410, 44100);
    const osc = ctx.createOscillator();
    osc.connect(ctx.destination);
    osc.start();
    await ctx.startRendering();
  };
  for (let i = 0; i < 100; i++) await render();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const before = await processStatus();
  for (let i = 0; i < 1000; i++) await render();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const after = await processStatus();
  assert(after.threads <= before.threads, `threads ${before.threads} -> ${after.threads}`);
  // A finished context used to keep ~2.8 MB and a thread.
  const perContext = (after.rssKiB - before.rssKiB) / 1000;
  assert(perContext < 64, `RSS grew ${perContext.toFixed(1)} KiB per finished context`);
});

test("an offline context too big to render rejects startRendering with a RangeError", async () => {
  // 32 channels x 2^32-1 frames: half a terabyte.
  const ctx = new OfflineAudioContext(32, 2 ** 32 - 1, 44100);
  await assertRejects(ctx.startRendering(), RangeError);
  await assertRejects(ctx.startRendering(), DOMException, "InvalidStateError");
});

test("a huge offline context still takes AudioWorklet modules", async () => {
  const ctx = new OfflineAudioContext(1, 2 ** 31, 44100);
  const source = `registerProcessor("quiet", class extends AudioWorkletProcessor {
    process() { return false; }
  });`;
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  await ctx.audioWorklet.addModule(url);
  const node = new AudioWorkletNode(ctx, "quiet");
  node.connect(ctx.destination);
  assertEquals(ctx.state, "suspended");
});

test("AudioBuffers larger than the machine are RangeErrors", () => {
  const ctx = new OfflineAudioContext(1, 128, 44100);
  const huge = { numberOfChannels: 32, length: 2 ** 32 - 1, sampleRate: 44100 };
  assertThrows(() => new AudioBuffer(huge), RangeError);
  assertThrows(() => ctx.createBuffer(32, 2 ** 32 - 1, 44100), RangeError);
  // The checks before it keep their order and types.
  assertThrows(() => ctx.createBuffer(0, 2 ** 32 - 1, 44100), DOMException, "NotSupportedError");
  assertEquals(ctx.createBuffer(2, 1000, 44100).length, 1000);
});

test("an input stays connected to nodes the graph let go of", async () => {
  // A source that ends and a merger no script can reach any more: neither
  // is rendered once silent, but the worklet's input stays connected to
  // silence (one channel), never disconnected (zero channels).
  const ctx = new OfflineAudioContext(1, 8192, 8000);
  const source = `registerProcessor("counter", class extends AudioWorkletProcessor {
    constructor() { super(); this.last = -1; }
    process(inputs) {
      if (inputs[0].length !== this.last) {
        this.last = inputs[0].length;
        this.port.postMessage(this.last);
      }
      return true;
    }
  });`;
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  await ctx.audioWorklet.addModule(url);
  const tester = new AudioWorkletNode(ctx, "counter");
  const counts = [];
  tester.port.onmessage = (e) => counts.push(e.data);
  tester.connect(ctx.destination);
  (() => {
    const osc = new OscillatorNode(ctx);
    osc.connect(new ChannelMergerNode(ctx, { numberOfInputs: 3 })).connect(tester);
    osc.start();
    osc.stop(0.1);
  })();
  gc();
  await ctx.startRendering();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assertEquals(counts.join(), "3,1");
});
