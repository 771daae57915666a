// flags: --allow-read=../engine/tests/fixtures
import {
  assert,
  assertClose,
  assertEquals,
  assertRejects,
  test,
} from "./harness.js";

const fixtures = new URL("../../../engine/tests/fixtures/", import.meta.url);
const load = async (name) => (await fetch(new URL(name, fixtures))).arrayBuffer();

/** A 16-bit PCM WAV file, written here. */
function wav(channels, sampleRate, frames) {
  const bytes = new ArrayBuffer(44 + channels * frames * 2);
  const v = new DataView(bytes);
  const text = (o, s) => [...s].forEach((c, i) => v.setUint8(o + i, c.charCodeAt(0)));
  text(0, "RIFF");
  v.setUint32(4, 36 + channels * frames * 2, true);
  text(8, "WAVEfmt ");
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * channels * 2, true);
  v.setUint16(32, channels * 2, true);
  v.setUint16(34, 16, true);
  text(36, "data");
  v.setUint32(40, channels * frames * 2, true);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      v.setInt16(44 + (i * channels + c) * 2, (i * 7 + c * 1000) % 32768, true);
    }
  }
  return bytes;
}

test("same-rate WAV decodes exactly and detaches the input", async () => {
  const ctx = new OfflineAudioContext(1, 128, 8000);
  const data = wav(2, 8000, 100);
  const buffer = await ctx.decodeAudioData(data);
  assertEquals(data.byteLength, 0, "the ArrayBuffer is detached");
  assertEquals(buffer.numberOfChannels, 2);
  assertEquals(buffer.length, 100);
  assertEquals(buffer.sampleRate, 8000);
  assertEquals(buffer.getChannelData(0)[10], 70 / 32768);
  assertEquals(buffer.getChannelData(1)[3], 1021 / 32768);
});

test("a different rate is resampled to the context rate", async () => {
  const ctx = new OfflineAudioContext(1, 128, 48000);
  const buffer = await ctx.decodeAudioData(wav(1, 8000, 800));
  assertEquals(buffer.sampleRate, 48000);
  assertClose(buffer.length, 4800, 1);
});

test("compressed formats decode", async () => {
  const ctx = new OfflineAudioContext(1, 128, 44100);
  for (const name of ["sine440_mono_44k1.flac", "sine440_880_stereo_44k1.mp3", "sine440_880_stereo_44k1.ogg", "sine440_880_stereo_44k1.m4a", "sine440_mono_44k1.aiff"]) {
    const buffer = await ctx.decodeAudioData(await load(name));
    assert(buffer.length > 1000, `${name} has audio`);
    const peak = buffer.getChannelData(0).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    assert(peak > 0.1, `${name} is not silent (peak ${peak})`);
  }
});

test("bad input rejects with EncodingError and calls the error callback", async () => {
  const ctx = new OfflineAudioContext(1, 128, 44100);
  const garbage = new Uint8Array(1000).map((_, i) => (i * 37) & 255).buffer;
  await assertRejects(ctx.decodeAudioData(garbage), DOMException, "EncodingError");
  await assertRejects(ctx.decodeAudioData(new ArrayBuffer(0)), DOMException, "EncodingError");
  const truncated = (await load("sine440_mono_44k1.flac")).slice(0, 40);
  await assertRejects(ctx.decodeAudioData(truncated), DOMException, "EncodingError");
  await assertRejects(ctx.decodeAudioData(await load("sine440_880_stereo_48k.opus")), DOMException, "EncodingError");
  let called = null;
  await assertRejects(
    ctx.decodeAudioData(new ArrayBuffer(10), null, (e) => (called = e)),
    DOMException,
    "EncodingError",
  );
  assertEquals(called?.name, "EncodingError");
});

test("argument errors reject; a detached buffer is DataCloneError", async () => {
  const ctx = new OfflineAudioContext(1, 128, 44100);
  await assertRejects(ctx.decodeAudioData(), TypeError);
  await assertRejects(ctx.decodeAudioData(new Uint8Array(4)), TypeError);
  await assertRejects(ctx.decodeAudioData(new ArrayBuffer(4), 5), TypeError);
  const data = wav(1, 8000, 10);
  data.transfer();
  await assertRejects(ctx.decodeAudioData(data), DOMException, "DataCloneError");
});

test("the success callback runs before the promise's reactions; many decodes at once", async () => {
  const ctx = new OfflineAudioContext(1, 128, 8000);
  const order = [];
  const p = ctx.decodeAudioData(wav(1, 8000, 50), () => order.push("callback"));
  p.then(() => order.push("promise"));
  const all = await Promise.all(Array.from({ length: 8 }, (_, i) => ctx.decodeAudioData(wav(1, 8000, 10 + i))));
  await p;
  await null;
  assertEquals(order.join(","), "callback,promise");
  assertEquals(all.map((b) => b.length).join(","), "10,11,12,13,14,15,16,17");
});

test("hundreds of rounds of concurrent decodes", async () => {
  // Each decode's input buffer and result cross threads: none of it may be
  // freed off the JS thread (this pattern used to corrupt the heap within a
  // few hundred rounds).
  const ctx = new OfflineAudioContext(1, 128, 44100);
  const file = new Uint8Array(wav(1, 44100, 4410));
  for (let round = 0; round < 400; round++) {
    const decoded = await Promise.all(
      [0, 1, 2, 3].map(() => ctx.decodeAudioData(file.slice().buffer)),
    );
    for (const buffer of decoded) assertEquals(buffer.length, 4410);
  }
});
