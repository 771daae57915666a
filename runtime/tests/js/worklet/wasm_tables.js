// WebAssembly.Table in an AudioWorklet scope: the scope's port answers
// "tables" with what lib/wasm_tables.js observes here.
import { tableObservations } from "./lib/wasm_tables.js";

registerProcessor(
  "wasm-tables-idle",
  class extends AudioWorkletProcessor {
    process() {
      return false;
    }
  },
);

port.onmessage = async (event) => {
  if (event.data === "tables") port.postMessage(await tableObservations());
};
