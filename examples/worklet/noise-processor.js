// White noise with an a-rate `amplitude` param, made on the render thread.
registerProcessor("noise", class extends AudioWorkletProcessor {
  static get parameterDescriptors() {
    return [{ name: "amplitude", defaultValue: 0.2, minValue: 0, maxValue: 1 }];
  }

  process(inputs, outputs, parameters) {
    const amplitude = parameters.amplitude;
    for (const channel of outputs[0]) {
      for (let i = 0; i < channel.length; i++) {
        const a = amplitude.length > 1 ? amplitude[i] : amplitude[0];
        channel[i] = (Math.random() * 2 - 1) * a;
      }
    }
    return true;
  }
});
