// Objects backed by native memory (cppgc objects under deno_core) can be
// made without bound: the QuickJS facade used to abort the process after
// about 65 536 had ever been made, and to slow down with each live one.
import { assertEquals, test } from "./harness.js";

test("100 000 streaming TextDecoders decode, none aborts", () => {
  const bytes = [new Uint8Array([0xe2, 0x82]), new Uint8Array([0xac])];
  let euros = 0;
  for (let i = 0; i < 100_000; i++) {
    const decoder = new TextDecoder();
    // The streaming call keeps native decoder state (a cppgc object).
    const text = decoder.decode(bytes[0], { stream: true }) + decoder.decode(bytes[1]);
    if (text === "\u20ac") euros++;
  }
  assertEquals(euros, 100_000);
});

test("70 000 GainNodes on one context, none aborts", () => {
  const ctx = new OfflineAudioContext(1, 128, 48000);
  let sum = 0;
  for (let i = 0; i < 70_000; i++) sum += new GainNode(ctx, { gain: 1 }).gain.value;
  assertEquals(sum, 70_000);
});
