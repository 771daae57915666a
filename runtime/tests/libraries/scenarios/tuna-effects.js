// tunajs on the native OfflineAudioContext: Filter, Delay, Compressor,
// Panner and Gain chained with Tuna's patched connect() (it replaces
// AudioNode.prototype.connect so native nodes connect into Tuna effects).
import Tuna from "tunajs";
import { envelope, measure, scenario } from "../lib/harness.js";

await scenario("tuna-effects", async () => {
  const ctx = new OfflineAudioContext(2, 44100, 44100);
  const tuna = new Tuna(ctx);
  const gain = new tuna.Gain({ gain: 0.8 });
  const filter = new tuna.Filter({ frequency: 900, Q: 3, gain: 0, filterType: "lowpass" });
  const delay = new tuna.Delay({ feedback: 0.35, delayTime: 150, wetLevel: 0.4, dryLevel: 1, cutoff: 3000 });
  const compressor = new tuna.Compressor({ threshold: -20, makeupGain: 1, attack: 5, release: 200, ratio: 4, knee: 5, automakeup: false });
  const panner = new tuna.Panner({ pan: 0.4 });
  const osc = ctx.createOscillator();
  osc.type = "triangle";
  osc.frequency.value = 196;
  const amp = ctx.createGain();
  amp.gain.setValueAtTime(0.8, 0);
  amp.gain.setTargetAtTime(0, 0.3, 0.05);
  osc.connect(amp);
  amp.connect(gain);
  gain.connect(filter);
  filter.connect(delay);
  delay.connect(compressor);
  compressor.connect(panner);
  panner.connect(ctx.destination);
  osc.start(0);
  const buffer = await ctx.startRendering();
  return { ...measure(buffer), envelopeLeft: envelope(buffer, 4410, 0) };
});
