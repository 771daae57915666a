// A worklet module with a static import: outputs the imported level.
import { IMPORTED_LEVEL } from "./lib/constant.js";

registerProcessor(
  "imported-level",
  class extends AudioWorkletProcessor {
    process(inputs, outputs) {
      for (const channel of outputs[0]) channel.fill(IMPORTED_LEVEL);
      return true;
    }
  },
);
