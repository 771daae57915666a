// Engine internals are not visible on the global object, in the window's
// scope or in an AudioWorklet scope, and what needs them still works.
import { engineGlobals } from "./lib/engine_globals_list.js";

console.log("window:", engineGlobals(globalThis));

const ctx = new OfflineAudioContext(1, 128, 48000);
await ctx.audioWorklet.addModule("./lib/engine_globals.js");
const port = ctx.audioWorklet.port;
const inWorklet = new Promise((resolve) => {
  port.onmessage = (event) => resolve(event.data);
});
port.postMessage("list");
console.log("worklet:", await inWorklet);
port.close();

const cell = new Int32Array(new SharedArrayBuffer(4));
const timedOut = Atomics.waitAsync(cell, 0, 0, 10);
console.log("waitAsync:", timedOut.async, await timedOut.value);
const woken = Atomics.waitAsync(cell, 0, 0);
console.log("notify:", Atomics.notify(cell, 0), await woken.value);
console.log("Temporal:", Temporal.PlainDate.from("2024-01-31").add({ months: 1 }).toString());
