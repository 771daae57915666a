// Renders two seconds of a gain envelope offline, as fast as the CPU allows,
// and writes it to a WAV file:
//   webaudio-run --allow-write examples/render-to-wav.js [out.wav]
const out = WebAudioRun.args[0] ?? "envelope.wav";
const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: 2 * 48000, sampleRate: 48000 });

const source = new ConstantSourceNode(ctx, { offset: 0.5 });
const envelope = new GainNode(ctx, { gain: 0 });
envelope.gain
  .linearRampToValueAtTime(1, 0.1)
  .setTargetAtTime(0.3, 0.1, 0.2)
  .setValueAtTime(0.3, 1.5)
  .exponentialRampToValueAtTime(0.001, 2);
source.connect(envelope).connect(ctx.destination);
source.start();

const started = performance.now();
const rendered = await ctx.startRendering();
const ms = performance.now() - started;
WebAudioRun.writeWav(out, rendered, { bitDepth: 16 });
console.log(
  `rendered ${rendered.duration} s in ${ms.toFixed(1)} ms ` +
    `(${(rendered.duration * 1000 / ms).toFixed(0)}x real time) -> ${out}`,
);
