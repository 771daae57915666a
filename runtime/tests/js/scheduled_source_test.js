import { assert, assertEquals, assertThrows, render, test } from "./harness.js";

const SR = 48000;

test("start and stop check state and times", () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  const s = ctx.createConstantSource();
  assertThrows(() => s.stop(), DOMException, "InvalidStateError");
  assertThrows(() => s.start(-1), RangeError);
  assertThrows(() => s.start(NaN), TypeError);
  s.start(0.5);
  assertThrows(() => s.start(), DOMException, "InvalidStateError");
  assertThrows(() => s.stop(-1), RangeError);
  s.stop(1);
  s.stop(2);
});

test("start(when) is sample accurate: round(when * sampleRate)", async () => {
  const when = 300.3 / SR;
  const stop = 700.6 / SR;
  const [out] = await render({ length: 1024 }, (ctx) => {
    const s = new ConstantSourceNode(ctx);
    s.connect(ctx.destination);
    s.start(when);
    s.stop(stop);
  });
  const first = out.findIndex((v) => v !== 0);
  assertEquals(first, Math.round(when * SR));
  const last = out.findLastIndex((v) => v !== 0);
  assertEquals(last + 1, Math.round(stop * SR));
});

test("ended fires once after stop, via onended and listeners", async () => {
  const ctx = new OfflineAudioContext(1, 4096, SR);
  const s = ctx.createConstantSource();
  s.connect(ctx.destination);
  let viaHandler = 0;
  let viaListener = 0;
  s.onended = (e) => {
    viaHandler++;
    assertEquals(e.type, "ended");
    assert(e.target === s);
  };
  s.addEventListener("ended", () => viaListener++);
  s.start(0);
  s.stop(1000 / SR);
  await ctx.startRendering();
  await new Promise((r) => setTimeout(r, 20));
  assertEquals(viaHandler, 1);
  assertEquals(viaListener, 1);
});

test("ConstantSourceNode offset is an a-rate param", async () => {
  const ctx = new OfflineAudioContext(1, 128, SR);
  const s = new ConstantSourceNode(ctx, { offset: 2 });
  assertEquals(s.offset.value, 2);
  assertEquals(s.offset.defaultValue, 1);
  assertEquals(s.numberOfInputs, 0);
  assertEquals(s.numberOfOutputs, 1);
  assertThrows(() => new ConstantSourceNode(ctx, { offset: NaN }), TypeError);
  const [out] = await render({ length: 128 }, (c) => {
    const src = new ConstantSourceNode(c, { offset: 0 });
    src.offset.setValueAtTime(3, 64 / SR);
    src.connect(c.destination);
    src.start();
  });
  assertEquals(out[63], 0);
  assertEquals(out[64], 3);
});
