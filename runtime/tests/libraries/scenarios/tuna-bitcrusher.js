// tunajs's Bitcrusher, which is a ScriptProcessorNode, on the native
// OfflineAudioContext. Engines may differ in a ScriptProcessor's latency, so
// besides the whole-buffer numbers the steady part is measured alone.
import Tuna from "tunajs";
import { measure, rmsOf, scenario } from "../lib/harness.js";

await scenario("tuna-bitcrusher", async () => {
  const ctx = new OfflineAudioContext(1, 44100, 44100);
  const tuna = new Tuna(ctx);
  const crusher = new tuna.Bitcrusher({ bits: 4, normfreq: 0.2, bufferSize: 1024 });
  const osc = ctx.createOscillator();
  osc.frequency.value = 300;
  osc.connect(crusher);
  crusher.connect(ctx.destination);
  osc.start(0);
  const buffer = await ctx.startRendering();
  const data = buffer.getChannelData(0);
  const levels = new Set();
  for (let i = 22050; i < 44100; i++) levels.add(Math.round(data[i] * 1000));
  return { length: buffer.length, sampleRate: buffer.sampleRate, numberOfChannels: 1, steadyRms: rmsOf(data, 22050, 44100), distinctLevels: levels.size };
});
