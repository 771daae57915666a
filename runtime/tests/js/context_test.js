import {
  assert,
  assertEquals,
  assertRejects,
  assertThrows,
  test,
} from "./harness.js";

const nextEvent = (target, type) => new Promise((resolve) => target.addEventListener(type, resolve, { once: true }));

test("OfflineAudioContext constructors and their errors", () => {
  const a = new OfflineAudioContext(2, 1000, 44100);
  assertEquals(a.length, 1000);
  assertEquals(a.sampleRate, 44100);
  assertEquals(a.destination.channelCount, 2);
  assertEquals(a.state, "suspended");
  assertEquals(a.currentTime, 0);
  assertEquals(a.renderQuantumSize, 128);
  const b = new OfflineAudioContext({ length: 10, sampleRate: 8000 });
  assertEquals(b.destination.channelCount, 1);
  assertThrows(() => new OfflineAudioContext(), TypeError);
  assertThrows(() => new OfflineAudioContext(1, 10), TypeError);
  assertThrows(() => new OfflineAudioContext({ length: 10 }), TypeError);
  assertThrows(() => new OfflineAudioContext(0, 10, 8000), DOMException, "NotSupportedError");
  assertThrows(() => new OfflineAudioContext(33, 10, 8000), DOMException, "NotSupportedError");
  assertThrows(() => new OfflineAudioContext(1, 0, 8000), DOMException, "NotSupportedError");
  assertThrows(() => new OfflineAudioContext(1, 10, 1), DOMException, "NotSupportedError");
  assert(a instanceof BaseAudioContext && a instanceof EventTarget);
  assertThrows(() => new BaseAudioContext(), TypeError);
});

test("startRendering resolves with the buffer, then complete fires", async () => {
  const ctx = new OfflineAudioContext(1, 300, 8000);
  const states = [];
  ctx.onstatechange = () => states.push(ctx.state);
  const completed = nextEvent(ctx, "complete");
  const buffer = await ctx.startRendering();
  assertEquals(buffer.length, 300);
  assertEquals(buffer.sampleRate, 8000);
  const event = await completed;
  assert(event instanceof OfflineAudioCompletionEvent);
  assert(event.renderedBuffer === buffer);
  assertEquals(ctx.state, "closed");
  assertEquals(states.join(","), "running,closed");
  await assertRejects(ctx.startRendering(), DOMException, "InvalidStateError");
});

test("offline suspend/resume: the graph can change at the suspend point", async () => {
  const ctx = new OfflineAudioContext(1, 1024, 48000);
  const src = new ConstantSourceNode(ctx);
  src.start();
  const suspended = ctx.suspend(512 / 48000).then(() => {
    assertEquals(ctx.state, "suspended");
    assertEquals(ctx.currentTime, 512 / 48000);
    src.connect(ctx.destination);
    return ctx.resume();
  });
  const buffer = await ctx.startRendering();
  await suspended;
  const data = buffer.getChannelData(0);
  assertEquals(data[511], 0);
  assertEquals(data[512], 1);
  assertEquals(data[1023], 1);
});

test("offline suspend and resume reject as the spec says", async () => {
  const ctx = new OfflineAudioContext(1, 1024, 48000);
  await assertRejects(ctx.resume(), DOMException, "InvalidStateError");
  await assertRejects(ctx.suspend(-1), DOMException, "InvalidStateError");
  await assertRejects(ctx.suspend(2), DOMException, "InvalidStateError");
  ctx.suspend(256 / 48000);
  await assertRejects(ctx.suspend(200 / 48000), DOMException, "InvalidStateError");
  await assertRejects(ctx.suspend(), TypeError);
});

test("AudioContext with no sink runs, suspends, resumes and closes", async () => {
  const ctx = new AudioContext({ sinkId: { type: "none" }, latencyHint: "playback" });
  assertEquals(ctx.state, "suspended");
  assertEquals(ctx.sinkId.type, "none");
  assert(ctx.sinkId === ctx.sinkId);
  await nextEvent(ctx, "statechange");
  assertEquals(ctx.state, "running");
  assert(ctx.sampleRate > 0);
  assert(ctx.baseLatency >= 0 && ctx.outputLatency >= 0);
  await new Promise((r) => setTimeout(r, 30));
  assert(ctx.currentTime > 0, "time advances");
  const ts = ctx.getOutputTimestamp();
  assert(typeof ts.contextTime === "number" && typeof ts.performanceTime === "number");
  await ctx.suspend();
  assertEquals(ctx.state, "suspended");
  const t = ctx.currentTime;
  await new Promise((r) => setTimeout(r, 30));
  assertEquals(ctx.currentTime, t, "time stops while suspended");
  await ctx.resume();
  assertEquals(ctx.state, "running");
  await ctx.close();
  assertEquals(ctx.state, "closed");
  await assertRejects(ctx.close(), DOMException, "InvalidStateError");
  await assertRejects(ctx.resume(), DOMException, "InvalidStateError");
  await assertRejects(ctx.suspend(), DOMException, "InvalidStateError");
});

test("AudioContext options are validated", () => {
  assertThrows(() => new AudioContext({ sampleRate: 1 }), DOMException, "NotSupportedError");
  assertThrows(() => new AudioContext({ latencyHint: "bogus" }), TypeError);
  assertThrows(() => new AudioContext({ sinkId: { type: "bogus" } }), TypeError);
  const ctx = new AudioContext({ sinkId: { type: "none" }, sampleRate: 22050 });
  assertEquals(ctx.sampleRate, 22050);
  return ctx.close();
});
