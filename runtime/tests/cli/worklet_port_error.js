// An exception in a worklet-side port listener is reported with its own
// message and stack (not deno_web's internals) and the scope carries on.
const ctx = new OfflineAudioContext(1, 128, 48000);
await ctx.audioWorklet.addModule("./lib/port_throws.js");
const port = ctx.audioWorklet.port;
const answer = new Promise((resolve) => {
  port.onmessage = (event) => resolve(event.data);
});
port.postMessage("throw");
port.postMessage("ping");
console.log(await answer);
port.close();
