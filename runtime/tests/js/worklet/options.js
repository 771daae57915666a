// "options-echo" posts the options it was constructed with; "with-params"
// declares three AudioParams and posts their values on its first process().

registerProcessor(
  "options-echo",
  class extends AudioWorkletProcessor {
    constructor(options) {
      super(options);
      this.port.postMessage({
        options,
        keys: Object.keys(options).sort(),
        plain: Object.getPrototypeOf(options) === Object.prototype,
      });
    }

    process() {
      return false;
    }
  },
);

registerProcessor(
  "with-params",
  class extends AudioWorkletProcessor {
    static get parameterDescriptors() {
      return [
        { name: "gain", defaultValue: 1, minValue: 0, maxValue: 2 },
        { name: "detune", defaultValue: 0, minValue: -1200, maxValue: 1200, automationRate: "k-rate" },
        { name: "free", defaultValue: 440 },
      ];
    }

    constructor() {
      super();
      this.reported = false;
    }

    process(inputs, outputs, parameters) {
      if (!this.reported) {
        this.reported = true;
        const values = {};
        for (const name of Object.keys(parameters)) values[name] = Array.from(parameters[name]);
        this.port.postMessage(values);
      }
      return true;
    }
  },
);
