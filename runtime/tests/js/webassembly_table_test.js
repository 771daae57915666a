// WebAssembly.Table from JS (get/set/grow/length, funcref and externref),
// on the main thread and in an AudioWorklet scope: Emscripten's embind
// calls functions through `table.get(i)`.
import { assertArrayEquals, test } from "./harness.js";
import {
  EXPECTED_TABLE_OBSERVATIONS,
  tableObservations,
} from "./worklet/lib/wasm_tables.js";

test("funcref and externref tables work from the main thread", async () => {
  assertArrayEquals(await tableObservations(), EXPECTED_TABLE_OBSERVATIONS);
});

test("funcref and externref tables work in an AudioWorklet scope", async () => {
  const ctx = new OfflineAudioContext(1, 128, 48000);
  await ctx.audioWorklet.addModule("./worklet/wasm_tables.js");
  const port = ctx.audioWorklet.port;
  const observed = new Promise((resolve) => {
    port.onmessage = (event) => resolve(event.data);
  });
  port.postMessage("tables");
  const lines = await observed;
  port.close();
  assertArrayEquals(lines, EXPECTED_TABLE_OBSERVATIONS);
});
