// standardized-audio-context's AudioWorklet: addAudioWorkletModule() with a
// blob: URL and an AudioWorkletNode with a parameter, in its
// OfflineAudioContext.
import { AudioWorkletNode, OfflineAudioContext, addAudioWorkletModule } from "standardized-audio-context";
import { measure, scenario } from "../lib/harness.js";

const processor = `
registerProcessor("shaper", class extends AudioWorkletProcessor {
  static get parameterDescriptors() {
    return [{ name: "drive", defaultValue: 1, minValue: 0, maxValue: 10 }];
  }
  process(inputs, outputs, parameters) {
    const input = inputs[0];
    const output = outputs[0];
    const drive = parameters.drive;
    for (let c = 0; c < output.length; c++) {
      const src = input[c] ?? input[0];
      for (let i = 0; i < output[c].length; i++) {
        const d = drive.length > 1 ? drive[i] : drive[0];
        output[c][i] = src ? Math.tanh(src[i] * d) : 0;
      }
    }
    return true;
  }
});
`;

await scenario("sac-worklet", async () => {
  const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: 22050, sampleRate: 44100 });
  const url = URL.createObjectURL(new Blob([processor], { type: "application/javascript" }));
  await addAudioWorkletModule(ctx, url);
  const node = new AudioWorkletNode(ctx, "shaper", { outputChannelCount: [2] });
  const drive = node.parameters.get("drive");
  drive.setValueAtTime(1, 0);
  drive.linearRampToValueAtTime(8, 0.5);
  const osc = ctx.createOscillator();
  osc.frequency.value = 440;
  osc.connect(node).connect(ctx.destination);
  osc.start();
  const buffer = await ctx.startRendering();
  return measure(buffer);
});
