// "basic": copies its first input to its first output, and stays active.
registerProcessor(
  "basic",
  class extends AudioWorkletProcessor {
    process(inputs, outputs) {
      const input = inputs[0];
      const output = outputs[0];
      for (let c = 0; c < Math.min(input.length, output.length); c++) output[c].set(input[c]);
      return true;
    }
  },
);
