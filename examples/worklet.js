// An AudioWorklet noise source through a sweeping band-pass filter, for two
// seconds: webaudio-run examples/worklet.js
const ctx = new AudioContext();
await ctx.audioWorklet.addModule("./worklet/noise-processor.js");

const noise = new AudioWorkletNode(ctx, "noise", { outputChannelCount: [2] });
const filter = new BiquadFilterNode(ctx, { type: "bandpass", Q: 8, frequency: 300 });
noise.connect(filter).connect(ctx.destination);

const now = ctx.currentTime;
filter.frequency.exponentialRampToValueAtTime(3000, now + 2);
const amplitude = noise.parameters.get("amplitude");
amplitude.setValueAtTime(0.5, now);
amplitude.linearRampToValueAtTime(0, now + 2);

await new Promise((resolve) => setTimeout(resolve, 2100));
await ctx.close();
console.log("played 2 s of worklet noise");
