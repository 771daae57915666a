// @alexanderolsen/libsamplerate-js (libsamplerate compiled to WebAssembly,
// on the main thread): a chirp rendered offline at 44.1 kHz and resampled
// to 48 kHz with the best sinc converter.
import { ConverterType, create } from "@alexanderolsen/libsamplerate-js";
import { measure, rmsOf, scenario } from "../lib/harness.js";

await scenario("libsamplerate-resample", async () => {
  const ctx = new OfflineAudioContext(1, 22050, 44100);
  const osc = ctx.createOscillator();
  osc.frequency.setValueAtTime(200, 0);
  osc.frequency.linearRampToValueAtTime(4000, 0.5);
  const gain = ctx.createGain();
  gain.gain.value = 0.5;
  osc.connect(gain).connect(ctx.destination);
  osc.start();
  const buffer = await ctx.startRendering();
  const src = await create(1, 44100, 48000, { converterType: ConverterType.SRC_SINC_BEST_QUALITY });
  const resampled = src.simple(buffer.getChannelData(0));
  src.destroy();
  return {
    ...measure(buffer),
    resampledLength: resampled.length,
    resampledRms: rmsOf(resampled),
    resampledMiddle: Array.from(resampled.slice(12000, 12004)),
  };
});
