// "counter" counts its process() calls in the scope under
// processorOptions.id and returns processorOptions.result. A
// FinalizationRegistry notes each processor that is garbage collected. The
// scope's port: "gc" collects garbage (with the engine's gc() when the scope
// has one); "report" answers { counts, collected }.
const counts = {};
const collected = [];
const registry = new FinalizationRegistry((id) => collected.push(id));

registerProcessor(
  "counter",
  class extends AudioWorkletProcessor {
    constructor(options) {
      super();
      this.id = options.processorOptions.id;
      this.result = options.processorOptions.result;
      counts[this.id] = 0;
      registry.register(this, this.id);
    }

    process() {
      counts[this.id]++;
      return this.result;
    }
  },
);

port.onmessage = (e) => {
  if (e.data === "gc") {
    if (typeof globalThis.gc === "function") {
      globalThis.gc();
    } else {
      let keep = null;
      for (let i = 0; i < 200000; i++) keep = { i, next: keep };
    }
  } else if (e.data === "report") {
    port.postMessage({ counts: { ...counts }, collected: [...collected].sort() });
  }
};
