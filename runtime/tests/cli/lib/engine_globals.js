// An AudioWorklet module whose port answers with the engine globals the
// scope shows (see ../engine_internals.js).
import { engineGlobals } from "./engine_globals_list.js";

registerProcessor(
  "idle",
  class extends AudioWorkletProcessor {
    process() {
      return false;
    }
  },
);
port.onmessage = () => port.postMessage(engineGlobals(globalThis));
