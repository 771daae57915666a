// Registers one processor, then throws while the module evaluates: the
// second registerProcessor never runs.
class Silent extends AudioWorkletProcessor {
  process() {
    return true;
  }
}
registerProcessor("registered-before-throw", Silent);
throw new Error("thrown while the module evaluates (expected by the test)");
// deno-lint-ignore no-unreachable
registerProcessor("registered-after-throw", Silent);
