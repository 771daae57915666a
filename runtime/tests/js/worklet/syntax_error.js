// Not valid JavaScript: addModule must reject with a SyntaxError.
registerProcessor("never", class extends AudioWorkletProcessor {
  process( { return true; }
});
