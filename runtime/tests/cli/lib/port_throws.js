// An AudioWorklet module whose port listener throws on "throw" and answers
// anything else.
registerProcessor(
  "idle",
  class extends AudioWorkletProcessor {
    process() {
      return false;
    }
  },
);
port.onmessage = (event) => {
  if (event.data === "throw") throw new Error("thrown in the worklet's port listener");
  port.postMessage(`answer to ${event.data}`);
};
