// Plays one second of a constant 0.5 on the default output device.
const ctx = new AudioContext({ sampleRate: 48000 });
await new Promise((resolve) => (ctx.onstatechange = resolve));
console.log("running at", ctx.sampleRate);
const source = new ConstantSourceNode(ctx, { offset: 0.5 });
source.connect(ctx.destination);
source.start();
source.stop(ctx.currentTime + 1);
