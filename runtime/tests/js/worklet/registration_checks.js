// Calls registerProcessor with bad arguments and inspects the global scope
// while the module evaluates; the results are posted on the scope's port
// when the main thread sends "report".

class Valid extends AudioWorkletProcessor {
  process() {
    return true;
  }
}

/** "ok", or the thrown exception as "<class>:<name>". */
function outcome(fn) {
  try {
    fn();
    return "ok";
  } catch (e) {
    const kind = e instanceof DOMException ? "DOMException" : e?.constructor?.name;
    return `${kind}:${e?.name}`;
  }
}

/** A processor class with the given static parameterDescriptors. */
function withDescriptors(descriptors) {
  return class extends Valid {
    static get parameterDescriptors() {
      return descriptors;
    }
  };
}

let ctorRead = false;
const results = {
  emptyName: outcome(() => registerProcessor("", Valid)),
  emptyNameArrow: outcome(() => registerProcessor("", () => {})),
  first: outcome(() => registerProcessor("checked", Valid)),
  duplicate: outcome(() => registerProcessor("checked", class extends AudioWorkletProcessor {})),
  duplicateArrow: outcome(() => registerProcessor("checked", () => {})),
  notCallableObject: outcome(() => registerProcessor("not-callable", {})),
  notCallableNumber: outcome(() => registerProcessor("not-callable", 42)),
  arrow: outcome(() => registerProcessor("arrow", () => {})),
  method: outcome(() => registerProcessor("method", { m() {} }.m)),
  asyncFunction: outcome(() => registerProcessor("async", async function () {})),
  duplicateParams: outcome(() =>
    registerProcessor("duplicate-params", withDescriptors([{ name: "x" }, { name: "y" }, { name: "x" }]))
  ),
  defaultAboveMax: outcome(() =>
    registerProcessor(
      "default-above-max",
      withDescriptors([{ name: "x", defaultValue: 2, minValue: 0, maxValue: 1 }]),
    )
  ),
  defaultBelowMin: outcome(() =>
    registerProcessor(
      "default-below-min",
      withDescriptors([{ name: "x", defaultValue: -0.5, minValue: 0, maxValue: 1 }]),
    )
  ),
  nanDefault: outcome(() =>
    registerProcessor("nan-default", withDescriptors([{ name: "x", defaultValue: NaN }]))
  ),
  infiniteDefault: outcome(() =>
    registerProcessor("infinite-default", withDescriptors([{ name: "x", defaultValue: -Infinity }]))
  ),
  missingName: outcome(() =>
    registerProcessor("missing-name", withDescriptors([{ defaultValue: 0 }]))
  ),
  badRate: outcome(() =>
    registerProcessor("bad-rate", withDescriptors([{ name: "x", automationRate: "x-rate" }]))
  ),
  notIterable: outcome(() => registerProcessor("not-iterable", withDescriptors(5))),
  // Any iterable will do, and the getter runs once, at registration.
  validParams: outcome(() => {
    class P extends Valid {
      static get parameterDescriptors() {
        ctorRead = true;
        return new Set([{ name: "s", defaultValue: 3, minValue: 3, maxValue: 3 }]);
      }
    }
    registerProcessor("valid-params", P);
  }),
  directConstruction: outcome(() => new AudioWorkletProcessor()),
  directConstructionSubclass: outcome(() => new Valid()),
};
results.descriptorsRead = ctorRead;

const absent = ["setTimeout", "setInterval", "fetch", "AudioContext", "OfflineAudioContext",
  "Deno", "__bootstrap", "WebAudioRun", "window", "document"];
const present = ["console", "MessagePort", "TextEncoder", "TextDecoder", "AudioWorkletProcessor",
  "registerProcessor", "AudioWorkletGlobalScope", "DOMException", "Event", "EventTarget"];
results.absent = absent.filter((name) => name in globalThis || typeof globalThis[name] !== "undefined");
results.present = present.filter((name) => typeof globalThis[name] !== "undefined");
results.scope = {
  isAudioWorkletGlobalScope: globalThis instanceof AudioWorkletGlobalScope,
  sampleRate,
  currentFrame,
  currentTime,
  renderQuantumSize,
  portIsMessagePort: port instanceof MessagePort,
  textEncoderWorks: new TextEncoder().encode("é").length === 2,
  registerProcessorType: typeof registerProcessor,
};

port.onmessage = (e) => {
  if (e.data === "report") port.postMessage(results);
};
