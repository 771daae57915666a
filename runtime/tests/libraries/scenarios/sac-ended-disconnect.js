// What standardized-audio-context users (and Tone) do with finished sources:
// an `ended` listener that disconnects the source from the node it feeds,
// then a second render of a new context reusing the same pattern.
import { OfflineAudioContext } from "standardized-audio-context";
import { measure, scenario } from "../lib/harness.js";

async function render(frequency) {
  const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: 22050, sampleRate: 44100 });
  const gain = ctx.createGain();
  gain.gain.value = 0.5;
  gain.connect(ctx.destination);
  const ended = [];
  for (let i = 0; i < 4; i++) {
    const osc = ctx.createOscillator();
    osc.frequency.value = frequency * (i + 1);
    osc.connect(gain);
    osc.addEventListener("ended", () => {
      osc.disconnect(gain);
      ended.push(i);
    });
    osc.start(0.05 * i);
    osc.stop(0.1 + 0.05 * i);
  }
  const buffer = await ctx.startRendering();
  // Let the `ended` tasks that follow rendering run.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { buffer, ended: ended.sort() };
}

await scenario("sac-ended-disconnect", async () => {
  const first = await render(220);
  const second = await render(330);
  return {
    ...measure(first.buffer),
    secondRms: measure(second.buffer).rms,
    endedFirst: first.ended,
    endedSecond: second.ended,
  };
});
