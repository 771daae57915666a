// flags: --allow-write=/tmp --allow-read=/tmp
import { assert, assertEquals, assertThrows, test } from "./harness.js";

test("WebAudioRun.writeWav writes a WAV file that reads back", async () => {
  const buffer = new AudioBuffer({ numberOfChannels: 2, length: 4, sampleRate: 22050 });
  buffer.copyToChannel(new Float32Array([0.5, -0.25, 1, 0]), 0);
  buffer.copyToChannel(new Float32Array([0, 0.125, -1, 0.75]), 1);
  const path = `/tmp/webaudio-run-test-${Date.now()}-${Math.random().toString(36).slice(2)}.wav`;
  WebAudioRun.writeWav(path, buffer);
  const bytes = new DataView(await (await fetch(`file://${path}`)).arrayBuffer());
  const text = (o) => String.fromCharCode(...[0, 1, 2, 3].map((i) => bytes.getUint8(o + i)));
  assertEquals(text(0), "RIFF");
  assertEquals(text(8), "WAVE");
  assertEquals(bytes.getUint16(22, true), 2, "channels");
  assertEquals(bytes.getUint32(24, true), 22050, "sample rate");
  assertEquals(bytes.getUint16(34, true), 32, "bits");
  // Float samples, interleaved, after the header.
  const dataStart = bytes.byteLength - 4 * 8;
  assertEquals(bytes.getFloat32(dataStart, true), 0.5);
  assertEquals(bytes.getFloat32(dataStart + 4, true), 0);
  assertEquals(bytes.getFloat32(dataStart + 12, true), 0.125);

  WebAudioRun.writeWav(path, buffer, { bitDepth: 16 });
  const pcm = new DataView(await (await fetch(`file://${path}`)).arrayBuffer());
  assertEquals(pcm.getUint16(34, true), 16);
  assertEquals(pcm.getInt16(pcm.byteLength - 16, true), 16384, "0.5 as 16-bit");
});

test("WebAudioRun.writeWav argument errors", () => {
  const buffer = new AudioBuffer({ length: 1, sampleRate: 8000 });
  assertThrows(() => WebAudioRun.writeWav(1, buffer), TypeError);
  assertThrows(() => WebAudioRun.writeWav("/tmp/x.wav", {}), TypeError);
  assertThrows(() => WebAudioRun.writeWav("/tmp/x.wav", buffer, { bitDepth: 8 }), TypeError);
  const e = assertThrows(() => WebAudioRun.writeWav("/nonexistent-dir/x.wav", buffer), Error);
  assert(e.message.includes("/nonexistent-dir/x.wav"), e.message);
});

test("WebAudioRun namespace shape", () => {
  assert(Array.isArray(WebAudioRun.args));
  assert(Object.isFrozen(WebAudioRun));
  assert(WebAudioRun.mainModule.endsWith("runtime_namespace_test.js"));
  assertThrows(() => WebAudioRun.exit(1.5), TypeError);
  assertThrows(() => WebAudioRun.exit(256), TypeError);
});
