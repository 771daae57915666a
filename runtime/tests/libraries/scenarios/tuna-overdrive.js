// tunajs's Overdrive (a WaveShaperNode whose curve it replaces each time
// `curveAmount` or `algorithmIndex` changes) on the native
// OfflineAudioContext.
import Tuna from "tunajs";
import { measure, scenario } from "../lib/harness.js";

await scenario("tuna-overdrive", async () => {
  const ctx = new OfflineAudioContext(1, 22050, 44100);
  const tuna = new Tuna(ctx);
  const overdrive = new tuna.Overdrive({ outputGain: -6, drive: 0.6, curveAmount: 0.8, algorithmIndex: 2 });
  const osc = ctx.createOscillator();
  osc.frequency.value = 150;
  osc.connect(overdrive);
  overdrive.connect(ctx.destination);
  osc.start(0);
  overdrive.algorithmIndex = 4;
  const buffer = await ctx.startRendering();
  return measure(buffer);
});
