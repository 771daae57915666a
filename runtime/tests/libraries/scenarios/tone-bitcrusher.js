// Tone.BitCrusher (an AudioWorklet in Tone 15) on a sine, in Tone.Offline.
import * as Tone from "tone";
import { measure, scenario } from "../lib/harness.js";

await scenario("tone-bitcrusher", async () => {
  const rendered = await Tone.Offline(() => {
    const crusher = new Tone.BitCrusher(3).toDestination();
    const osc = new Tone.Oscillator(220, "sine").connect(crusher);
    osc.volume.value = -6;
    osc.start(0).stop(0.4);
  }, 0.5, 1, 44100);
  const buffer = rendered.get();
  const data = buffer.getChannelData(0);
  // A 3-bit crusher leaves only a few distinct levels.
  const levels = new Set();
  for (let i = 0; i < 17640; i++) levels.add(Math.round(data[i] * 1000));
  return { ...measure(buffer), distinctLevels: levels.size };
});
