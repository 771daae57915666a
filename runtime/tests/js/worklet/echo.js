// "echo" posts a greeting made here when constructed, then echoes every
// message with what it saw of it; the scope's port echoes the same way.

/** What structured clone gave this realm. */
function describe(data) {
  return {
    isObject: typeof data === "object" && data !== null,
    typedIsFloat32: data?.typed instanceof Float32Array,
    mapIsMap: data?.map instanceof Map,
    cycle: data?.self === data,
    bufferBytes: data?.buffer instanceof ArrayBuffer ? data.buffer.byteLength : -1,
  };
}

function greeting(from) {
  const g = {
    from,
    ints: new Int16Array([1, -2, 32767]),
    map: new Map([["set", new Set(["a", "b"])], ["n", 7]]),
    date: new Date(86400000),
    nested: { list: [1, { deep: "yes" }], none: null, missing: undefined },
    regexp: /wor+klet/gi,
  };
  g.self = g;
  return g;
}

registerProcessor(
  "echo",
  class extends AudioWorkletProcessor {
    constructor() {
      super();
      this.port.onmessage = (e) => {
        this.port.postMessage({ echo: e.data, seen: describe(e.data) });
      };
      this.port.postMessage(greeting("processor"));
    }

    process() {
      return true;
    }
  },
);

port.onmessage = (e) => {
  if (e.data === "greet") {
    port.postMessage(greeting("scope"));
  } else {
    port.postMessage({ echo: e.data, seen: describe(e.data), frame: currentFrame });
  }
};
