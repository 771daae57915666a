import { assert, assertArrayEquals, assertEquals, assertThrows, test } from "./harness.js";

test("AudioBuffer constructor sets shape and zeroes data", () => {
  const b = new AudioBuffer({ numberOfChannels: 2, length: 100, sampleRate: 44100 });
  assertEquals(b.numberOfChannels, 2);
  assertEquals(b.length, 100);
  assertEquals(b.sampleRate, 44100);
  assertEquals(b.duration, 100 / 44100);
  assert(b.getChannelData(1).every((v) => v === 0));
  const mono = new AudioBuffer({ length: 1, sampleRate: 3000 });
  assertEquals(mono.numberOfChannels, 1);
});

test("AudioBuffer constructor argument errors", () => {
  assertThrows(() => new AudioBuffer(), TypeError);
  assertThrows(() => new AudioBuffer({ sampleRate: 48000 }), TypeError);
  assertThrows(() => new AudioBuffer({ length: 10 }), TypeError);
  assertThrows(() => new AudioBuffer({ numberOfChannels: 0, length: 1, sampleRate: 8000 }), DOMException, "NotSupportedError");
  assertThrows(() => new AudioBuffer({ numberOfChannels: 33, length: 1, sampleRate: 8000 }), DOMException, "NotSupportedError");
  assertThrows(() => new AudioBuffer({ length: 0, sampleRate: 8000 }), DOMException, "NotSupportedError");
  assertThrows(() => new AudioBuffer({ length: 1, sampleRate: 2999 }), DOMException, "NotSupportedError");
  assertThrows(() => new AudioBuffer({ length: 1, sampleRate: 768001 }), DOMException, "NotSupportedError");
  new AudioBuffer({ numberOfChannels: 32, length: 1, sampleRate: 768000 });
});

test("getChannelData returns the same array and checks the index", () => {
  const b = new AudioBuffer({ numberOfChannels: 2, length: 4, sampleRate: 8000 });
  assert(b.getChannelData(0) === b.getChannelData(0));
  assert(b.getChannelData(0) !== b.getChannelData(1));
  assert(b.getChannelData(1) instanceof Float32Array);
  assertThrows(() => b.getChannelData(2), DOMException, "IndexSizeError");
  assertThrows(() => b.getChannelData(), TypeError);
});

test("copyToChannel and copyFromChannel copy min(N_b - k, N_f) frames", () => {
  const b = new AudioBuffer({ numberOfChannels: 2, length: 5, sampleRate: 8000 });
  b.copyToChannel(new Float32Array([1, 2, 3]), 1, 3);
  assertArrayEquals(b.getChannelData(1), [0, 0, 0, 1, 2]);
  const dest = new Float32Array([9, 9, 9, 9]);
  b.copyFromChannel(dest, 1, 2);
  assertArrayEquals(dest, [0, 1, 2, 9]);
  b.copyFromChannel(dest, 1, 10);
  assertArrayEquals(dest, [0, 1, 2, 9]);
  b.copyToChannel(new Float32Array([5]), 0);
  assertEquals(b.getChannelData(0)[0], 5);
});

test("copy methods throw the spec's exceptions", () => {
  const b = new AudioBuffer({ length: 5, sampleRate: 8000 });
  assertThrows(() => b.copyFromChannel(new Float32Array(2), 1), DOMException, "IndexSizeError");
  assertThrows(() => b.copyToChannel(new Float32Array(2), 1), DOMException, "IndexSizeError");
  assertThrows(() => b.copyFromChannel([0, 0], 0), TypeError);
  assertThrows(() => b.copyToChannel(new Float64Array(2), 0), TypeError);
  assertThrows(() => b.copyToChannel(new Float32Array(new SharedArrayBuffer(8)), 0), TypeError);
  assertThrows(() => b.copyFromChannel(new Float32Array(2)), TypeError);
});

test("createBuffer validates like the constructor", () => {
  const ctx = new OfflineAudioContext(1, 128, 48000);
  const b = ctx.createBuffer(3, 10, 22050);
  assertEquals(b.numberOfChannels, 3);
  assertEquals(b.sampleRate, 22050);
  assertThrows(() => ctx.createBuffer(0, 10, 22050), DOMException, "NotSupportedError");
  assertThrows(() => ctx.createBuffer(1, 0, 22050), DOMException, "NotSupportedError");
  assertThrows(() => ctx.createBuffer(1, 10, 100), DOMException, "NotSupportedError");
  assertThrows(() => ctx.createBuffer(1, 10), TypeError);
});

test("AudioBuffer is a proper interface", () => {
  assertEquals(Object.prototype.toString.call(new AudioBuffer({ length: 1, sampleRate: 8000 })), "[object AudioBuffer]");
  const desc = Object.getOwnPropertyDescriptor(AudioBuffer.prototype, "length");
  assert(typeof desc.get === "function" && desc.set === undefined);
  assertThrows(() => desc.get.call({}), TypeError);
  assertEquals(Object.getOwnPropertyDescriptor(globalThis, "AudioBuffer").enumerable, false);
});
