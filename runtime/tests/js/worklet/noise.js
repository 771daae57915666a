// "noise": xorshift32 noise in [-1, 1), seeded by processorOptions.seed,
// the same samples on every output channel.
registerProcessor(
  "noise",
  class extends AudioWorkletProcessor {
    constructor(options) {
      super();
      this.state = options.processorOptions.seed >>> 0;
    }

    process(inputs, outputs) {
      const output = outputs[0];
      const first = output[0];
      let x = this.state;
      for (let i = 0; i < first.length; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        x >>>= 0;
        first[i] = (x / 4294967296) * 2 - 1;
      }
      this.state = x;
      for (let c = 1; c < output.length; c++) output[c].set(first);
      return true;
    }
  },
);
