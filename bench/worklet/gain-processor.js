// A per-sample gain: the AudioWorklet benchmark's processor.
registerProcessor("bench-gain", class extends AudioWorkletProcessor {
  static get parameterDescriptors() {
    return [{ name: "gain", defaultValue: 0.5 }];
  }

  process(inputs, outputs, parameters) {
    const input = inputs[0];
    const output = outputs[0];
    const gain = parameters.gain;
    for (let c = 0; c < output.length; c++) {
      const x = input[c];
      const y = output[c];
      if (x === undefined) continue;
      if (gain.length === 1) {
        const g = gain[0];
        for (let i = 0; i < y.length; i++) y[i] = x[i] * g;
      } else {
        for (let i = 0; i < y.length; i++) y[i] = x[i] * gain[i];
      }
    }
    return true;
  }
});
