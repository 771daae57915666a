// "layout-probe" records, for each of its first processorOptions.quanta
// calls, what process() was given, then posts the log. Output n, channel c
// is filled with (n + 1) * 0.5 + (c + 1) / 8.
registerProcessor(
  "layout-probe",
  class extends AudioWorkletProcessor {
    static get parameterDescriptors() {
      return [
        { name: "a", defaultValue: 0.5, minValue: 0, maxValue: 1 },
        { name: "k", defaultValue: 2, automationRate: "k-rate" },
      ];
    }

    constructor(options) {
      super();
      this.quanta = options.processorOptions.quanta;
      this.log = [];
    }

    process(inputs, outputs, parameters) {
      if (this.log.length < this.quanta) {
        this.log.push({
          frame: currentFrame,
          time: currentTime,
          inputs: inputs.map((input) => input.length),
          outputs: outputs.map((output) => output.length),
          a: Array.from(parameters.a),
          k: Array.from(parameters.k),
          frozen: Object.isFrozen(inputs) && Object.isFrozen(outputs) && Object.isFrozen(parameters) &&
            inputs.every(Object.isFrozen) && outputs.every(Object.isFrozen),
          samplesPerChannel: [...inputs, ...outputs].flat().map((channel) => channel.length),
          inputSample: inputs.map((input) => input.map((channel) => channel[0])),
        });
        if (this.log.length === this.quanta) this.port.postMessage(this.log);
      }
      outputs.forEach((output, n) => {
        output.forEach((channel, c) => channel.fill((n + 1) * 0.5 + (c + 1) / 8));
      });
      return true;
    }
  },
);
