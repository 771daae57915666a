// "gain": multiplies each input channel by an a-rate "gain" AudioParam.
registerProcessor(
  "gain",
  class extends AudioWorkletProcessor {
    static get parameterDescriptors() {
      return [{ name: "gain", defaultValue: 1 }];
    }

    process(inputs, outputs, parameters) {
      const input = inputs[0];
      const output = outputs[0];
      const gain = parameters.gain;
      for (let c = 0; c < input.length; c++) {
        const x = input[c];
        const y = output[c];
        if (gain.length === 1) {
          for (let i = 0; i < x.length; i++) y[i] = x[i] * gain[0];
        } else {
          for (let i = 0; i < x.length; i++) y[i] = x[i] * gain[i];
        }
      }
      return false;
    }
  },
);
