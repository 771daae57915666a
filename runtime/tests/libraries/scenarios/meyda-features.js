// meyda feature extraction on a buffer rendered offline: a 440 Hz sawtooth
// through a lowpass, one frame of 1024 samples. (spectralFlatness is left
// out: it is decided by the bins near zero, which depend on how each engine
// band-limits its oscillators.)
import Meyda from "meyda";
import { measure, scenario } from "../lib/harness.js";

await scenario("meyda-features", async () => {
  const ctx = new OfflineAudioContext(1, 8192, 44100);
  const osc = ctx.createOscillator();
  osc.type = "sawtooth";
  osc.frequency.value = 440;
  const filter = ctx.createBiquadFilter();
  filter.frequency.value = 3000;
  osc.connect(filter).connect(ctx.destination);
  osc.start();
  const buffer = await ctx.startRendering();
  Meyda.bufferSize = 1024;
  Meyda.sampleRate = 44100;
  const frame = buffer.getChannelData(0).slice(4096, 4096 + 1024);
  const features = Meyda.extract(
    ["rms", "zcr", "energy", "spectralCentroid", "spectralRolloff", "perceptualSpread", "mfcc"],
    frame,
  );
  return {
    ...measure(buffer),
    rmsFeature: features.rms,
    zcr: features.zcr,
    energy: features.energy,
    spectralCentroid: features.spectralCentroid,
    spectralRolloff: features.spectralRolloff,
    perceptualSpread: features.perceptualSpread,
    mfcc: features.mfcc.slice(0, 6),
  };
});
