// Offline render speed of the same graphs on webaudio-run and, for
// comparison, on the node-web-audio-api npm package (web-audio-api-rs):
//
//   webaudio-run bench/compare.mjs
//   npm install --prefix .bench-peers node-web-audio-api   # .bench-peers is git-ignored
//   NODE_PATH=.bench-peers/node_modules node bench/compare.mjs
//
// Prints multiples of real time (higher is better).
const api = globalThis.OfflineAudioContext ? globalThis : await import(process.env.NODE_PATH ? `${process.env.NODE_PATH}/node-web-audio-api/index.mjs` : "node-web-audio-api");
const { OfflineAudioContext, ConstantSourceNode, GainNode, OscillatorNode, BiquadFilterNode } = api;
const SR = 48000, SECONDS = 10;
async function time(name, build) {
  const ctx = new OfflineAudioContext(2, SR * SECONDS, SR);
  build(ctx);
  const t = performance.now();
  await ctx.startRendering();
  console.log(`${name.padEnd(50)} ${(SECONDS * 1000 / (performance.now() - t)).toFixed(1)}x`);
}
await time("silence", () => {});
await time("100 ConstantSource->Gain, a-rate gain ramps", (ctx) => {
  for (let i = 0; i < 100; i++) {
    const s = new ConstantSourceNode(ctx, { offset: 0.01 });
    const g = new GainNode(ctx, { gain: 0 });
    g.gain.linearRampToValueAtTime(1, SECONDS);
    s.connect(g).connect(ctx.destination);
    s.start();
  }
});
await time("chain of 500 gain nodes", (ctx) => {
  let node = new ConstantSourceNode(ctx);
  node.start();
  for (let i = 0; i < 500; i++) node = node.connect(new GainNode(ctx, { gain: 1 }));
  node.connect(ctx.destination);
});
await time("64 oscillators, exponential frequency sweep", (ctx) => {
  for (let i = 0; i < 64; i++) {
    const o = new OscillatorNode(ctx, { frequency: 100 + i });
    o.frequency.exponentialRampToValueAtTime(8000, SECONDS);
    o.connect(ctx.destination);
    o.start();
  }
});
await time("16 biquad lowpass, a-rate frequency sweep", (ctx) => {
  for (let i = 0; i < 16; i++) {
    const o = new OscillatorNode(ctx, { type: "sawtooth", frequency: 110 + i });
    const f = new BiquadFilterNode(ctx, { frequency: 200 });
    f.frequency.linearRampToValueAtTime(8000, SECONDS);
    o.connect(f).connect(ctx.destination);
    o.start();
  }
});
