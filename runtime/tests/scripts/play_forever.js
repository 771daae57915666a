const ctx = new AudioContext({ sinkId: { type: "none" } });
const s = new ConstantSourceNode(ctx);
s.connect(ctx.destination);
s.start();
console.log("playing");
