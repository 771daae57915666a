// AudioWorklet cost: offline render speed with 1, 8 and 32 AudioWorkletNodes
// running a per-sample gain processor (each fed by an oscillator, stereo),
// and the render load of a realtime context without a sound card (null
// sink) running 8 of them.
//
//   webaudio-run bench/worklet.mjs
//
// Prints multiples of real time (higher is better) and the share of each
// quantum's real-time budget spent rendering (lower is better).
const SR = 48000;
const SECONDS = 10;
const module = new URL("./worklet/gain-processor.js", import.meta.url).href;

function build(ctx, count) {
  for (let i = 0; i < count; i++) {
    const osc = new OscillatorNode(ctx, { frequency: 110 + 10 * i });
    const node = new AudioWorkletNode(ctx, "bench-gain", { outputChannelCount: [2] });
    node.parameters.get("gain").linearRampToValueAtTime(0.01, SECONDS);
    osc.connect(node).connect(ctx.destination);
    osc.start();
  }
}

for (const count of [1, 8, 32]) {
  const ctx = new OfflineAudioContext(2, SR * SECONDS, SR);
  await ctx.audioWorklet.addModule(module);
  build(ctx, count);
  const t = performance.now();
  await ctx.startRendering();
  const speed = (SECONDS * 1000) / (performance.now() - t);
  console.log(`offline, ${String(count).padStart(2)} worklet nodes`.padEnd(40), `${speed.toFixed(1)}x real time`);
}

if (globalThis.WebAudioRun?.renderLoad) {
  const ctx = new AudioContext({ sinkId: { type: "none" }, sampleRate: SR });
  await ctx.audioWorklet.addModule(module);
  build(ctx, 8);
  await new Promise((r) => setTimeout(r, 500));
  WebAudioRun.renderLoad(ctx, { reset: true });
  await new Promise((r) => setTimeout(r, 3000));
  const load = WebAudioRun.renderLoad(ctx);
  console.log(
    "realtime null sink, 8 worklet nodes".padEnd(40),
    `mean load ${(load.average * 100).toFixed(1)}%, peak ${(load.peak * 100).toFixed(1)}% of the quantum budget (${load.quanta} quanta)`,
  );
  await ctx.close();
}
