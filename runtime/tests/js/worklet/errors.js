// Processors that fail: in the constructor, in process() from
// processorOptions.throwAtFrame on, and with a non-callable process.

function copy(inputs, outputs) {
  const input = inputs[0];
  const output = outputs[0];
  for (let c = 0; c < Math.min(input.length, output.length); c++) output[c].set(input[c]);
}

registerProcessor(
  "throw-in-constructor",
  class extends AudioWorkletProcessor {
    constructor() {
      super();
      throw new Error("constructor failed on purpose");
    }

    process(inputs, outputs) {
      copy(inputs, outputs);
      return true;
    }
  },
);

registerProcessor(
  "throw-in-process",
  class extends AudioWorkletProcessor {
    constructor(options) {
      super();
      this.throwAt = options.processorOptions.throwAtFrame;
      this.calls = 0;
    }

    process(inputs, outputs) {
      this.calls++;
      if (currentFrame >= this.throwAt) {
        throw new RangeError(`process failed on purpose after ${this.calls} calls`);
      }
      copy(inputs, outputs);
      return true;
    }
  },
);

registerProcessor(
  "process-not-callable",
  class extends AudioWorkletProcessor {
    constructor() {
      super();
      this.process = "not a function";
    }
  },
);
