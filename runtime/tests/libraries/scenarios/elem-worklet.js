// @elemaudio/web-renderer: Elementary's WebAssembly DSP running inside an
// AudioWorklet, on an OfflineAudioContext. initialize() adds its worklet
// module and waits for the processor's port to say it has loaded.
import { el } from "@elemaudio/core";
import WebRenderer from "@elemaudio/web-renderer";
import { envelope, measure, scenario } from "../lib/harness.js";

await scenario("elem-worklet", async () => {
  const ctx = new OfflineAudioContext(2, 22050, 44100);
  const core = new WebRenderer();
  const node = await core.initialize(ctx, { numberOfInputs: 0, numberOfOutputs: 1, outputChannelCount: [2] });
  node.connect(ctx.destination);
  const left = el.mul(0.3, el.lowpass(800, 1.5, el.blepsaw(110)));
  const right = el.mul(el.cycle(2), 0.25, el.cycle(330));
  const stats = await core.render(left, right);
  const buffer = await ctx.startRendering();
  return { ...measure(buffer), envelopeRight: envelope(buffer, 2205, 1), nodesAdded: stats.nodesAdded };
});
