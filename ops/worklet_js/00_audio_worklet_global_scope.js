// The AudioWorkletGlobalScope: the global scope of the realm that runs on a
// context's render thread. It defines registerProcessor, the scope's
// attributes and AudioWorkletProcessor, keeps the registered constructors
// and the live processors, and leaves three functions for Rust (construct,
// process, remove) on a hidden global that Rust takes and deletes.

(function () {
const { core, primordials } = __bootstrap;
const {
  op_worklet_construction,
  op_worklet_construction_options,
  op_worklet_current_frame,
  op_worklet_global_port,
  op_worklet_read,
  op_worklet_register,
  op_worklet_sample_rate,
  op_worklet_write,
} = core.ops;
const {
  ArrayPrototypeIncludes,
  ArrayPrototypePush,
  Float32Array,
  FunctionPrototypeCall,
  MapPrototypeGet,
  MapPrototypeHas,
  MapPrototypeSet,
  ObjectDefineProperties,
  ObjectDefineProperty,
  ObjectFreeze,
  ObjectGetOwnPropertyNames,
  ObjectSetPrototypeOf,
  Proxy,
  ReflectConstruct,
  SafeMap,
  StringPrototypeIncludes,
  StringPrototypeSplit,
  StringPrototypeStartsWith,
  StringPrototypeTrim,
  Symbol,
  TypeError,
  TypedArrayPrototypeFill,
  TypedArrayPrototypeGetLength,
  TypedArrayPrototypeSet,
  TypedArrayPrototypeSubarray,
  Uint32Array,
} = primordials;

const webidl = core.loadExtScript("ext:deno_webidl/00_webidl.js");
const load = (name) => core.loadExtScript(`ext:deno_web/${name}.js`);
const consoleModule = load("01_console");
const { DOMException } = load("01_dom_exception");
const event = load("02_event");
const messagePort = load("13_message_port");
const { checkDispatchEventArgument, removeEngineGlobals } = core.loadExtScript(
  "ext:webaudio_worklet/02_realm_globals.js",
);
const { converters } = webidl;

const QUANTUM = 128;

converters.AutomationRate = webidl.createEnumConverter("AutomationRate", [
  "a-rate",
  "k-rate",
]);
converters.AudioParamDescriptor = webidl.createDictionaryConverter(
  "AudioParamDescriptor",
  [
    { key: "name", converter: converters.DOMString, required: true },
    { key: "defaultValue", converter: converters.float, defaultValue: 0 },
    { key: "minValue", converter: converters.float, defaultValue: -3.4028234663852886e38 },
    { key: "maxValue", converter: converters.float, defaultValue: 3.4028234663852886e38 },
    { key: "automationRate", converter: converters.AutomationRate, defaultValue: "a-rate" },
  ],
);
converters["sequence<AudioParamDescriptor>"] = webidl.createSequenceConverter(
  converters.AudioParamDescriptor,
);

/** node name to processor constructor map */
const processorConstructors = new SafeMap();

/** The spec's pending processor construction data. */
let pendingConstruction = null;

/** IsConstructor(value), without calling it or reading its properties. */
function isConstructor(value) {
  if (typeof value !== "function") return false;
  try {
    // A proxy has [[Construct]] exactly when its target does; the trap
    // keeps the constructor itself from running.
    const probe = new Proxy(value, { construct: () => ({}) });
    new probe();
    return true;
  } catch {
    return false;
  }
}

const illegal = Symbol("illegal constructor");

class WorkletGlobalScope {
  constructor(key = undefined) {
    if (key !== illegal) webidl.illegalConstructor();
  }
}

class AudioWorkletGlobalScope extends WorkletGlobalScope {
  constructor(key = undefined) {
    if (key !== illegal) webidl.illegalConstructor();
    super(key);
  }

  registerProcessor(name, processorCtor) {
    const prefix = "Failed to execute 'registerProcessor' on 'AudioWorkletGlobalScope'";
    webidl.requiredArguments(arguments.length, 2, prefix);
    name = converters.DOMString(name, prefix, "Argument 1");
    if (typeof processorCtor !== "function") {
      throw new TypeError(`${prefix}: The provided callback is not a function.`);
    }
    if (name === "") {
      throw new DOMException(`${prefix}: The processor name cannot be empty.`, "NotSupportedError");
    }
    if (MapPrototypeHas(processorConstructors, name)) {
      throw new DOMException(
        `${prefix}: A processor with name '${name}' is already registered.`,
        "NotSupportedError",
      );
    }
    if (!isConstructor(processorCtor)) {
      throw new TypeError(`${prefix}: The provided callback is not a constructor.`);
    }
    const prototype = processorCtor.prototype;
    if (prototype === null || (typeof prototype !== "object" && typeof prototype !== "function")) {
      throw new TypeError(`${prefix}: The constructor's prototype is not an object.`);
    }
    const descriptorsValue = processorCtor.parameterDescriptors;
    let descriptors = [];
    if (descriptorsValue !== undefined) {
      descriptors = converters["sequence<AudioParamDescriptor>"](
        descriptorsValue,
        prefix,
        "parameterDescriptors",
      );
      const names = [];
      for (let i = 0; i < descriptors.length; i++) {
        const d = descriptors[i];
        if (ArrayPrototypeIncludes(names, d.name)) {
          throw new DOMException(
            `${prefix}: Duplicate parameter name '${d.name}'.`,
            "NotSupportedError",
          );
        }
        ArrayPrototypePush(names, d.name);
        if (!(d.minValue <= d.defaultValue && d.defaultValue <= d.maxValue)) {
          throw new DOMException(
            `${prefix}: The default value ${d.defaultValue} of '${d.name}' is not in [${d.minValue}, ${d.maxValue}].`,
            "InvalidStateError",
          );
        }
      }
    }
    MapPrototypeSet(processorConstructors, name, processorCtor);
    op_worklet_register(name, descriptors);
  }

  get currentFrame() {
    return op_worklet_current_frame();
  }

  get currentTime() {
    return op_worklet_current_frame() / sampleRate;
  }

  get sampleRate() {
    return sampleRate;
  }

  get renderQuantumSize() {
    return QUANTUM;
  }

  get port() {
    if (globalPort === undefined) {
      const rid = op_worklet_global_port();
      globalPort = rid === null ? null : receivePort(rid);
    }
    return globalPort;
  }
}
webidl.configureInterface(WorkletGlobalScope);
webidl.configureInterface(AudioWorkletGlobalScope);

const sampleRate = op_worklet_sample_rate();
let globalPort = undefined;

function receivePort(rid) {
  return core.getTransferableResource("MessagePort").receive(rid);
}

class AudioWorkletProcessor {
  #port;

  constructor() {
    const pending = pendingConstruction;
    if (pending === null) {
      throw new TypeError(
        "Failed to construct 'AudioWorkletProcessor': it can only be constructed by an AudioWorkletNode.",
      );
    }
    this.#port = pending.port;
    pendingConstruction = null;
  }

  get port() {
    if (!(#port in this)) {
      throw new TypeError("Illegal invocation");
    }
    return this.#port;
  }

  static isProcessor(value) {
    return typeof value === "object" && value !== null && #port in value;
  }
}
const isProcessor = AudioWorkletProcessor.isProcessor;
delete AudioWorkletProcessor.isProcessor;
webidl.configureInterface(AudioWorkletProcessor);

// --- processors and the per-quantum call ---

/** Live processors by slot (their node's id). */
const records = [];

function construct(slot) {
  const info = op_worklet_construction(slot);
  if (info === null) throw new TypeError("no processor construction data");
  const port = info.port === null ? null : receivePort(info.port);
  const serialized = op_worklet_construction_options(slot);
  // Nothing serialized (a node made from Rust) is an empty options object.
  const options = TypedArrayPrototypeGetLength(serialized) === 0
    ? {}
    : messagePort.deserializeJsMessageData(serialized)[0];
  const ctor = MapPrototypeGet(processorConstructors, info.name);
  pendingConstruction = { port };
  let processor;
  try {
    processor = ReflectConstruct(ctor, [options]);
  } finally {
    pendingConstruction = null;
  }
  // Converting the result to an AudioWorkletProcessor only asks that it be
  // one (it may be another node's: a constructor can return a singleton).
  if (!isProcessor(processor)) {
    throw new TypeError(
      `The constructor of '${info.name}' did not return an AudioWorkletProcessor.`,
    );
  }
  const nAudio = info.numberOfInputs + info.numberOfOutputs;
  const nParams = info.parameters.length;
  // The exchange buffer the ops fill and read (see op_worklet_read): the
  // layout header, then fixed regions for inputs, outputs and params. The
  // arrays process() sees are separate (each may be transferred); they are
  // copied to and from here with one set() each.
  const headerLength = nAudio + nParams;
  const room = info.maxChannels * QUANTUM;
  const inBase = headerLength;
  const outBase = inBase + info.numberOfInputs * room;
  const paramBase = outBase + info.numberOfOutputs * room;
  const exchange = new Float32Array(paramBase + nParams * QUANTUM);
  const last = new Uint32Array(headerLength);
  for (let i = 0; i < last.length; i++) last[i] = 0xffffffff;
  records[slot] = {
    processor,
    nInputs: info.numberOfInputs,
    nAudio,
    names: info.parameters,
    exchange,
    header: TypedArrayPrototypeSubarray(exchange, 0, headerLength),
    inBase,
    outBase,
    exchangeParams: TypedArrayPrototypeSubarray(exchange, paramBase, paramBase + nParams * QUANTUM),
    last,
    inData: null,
    inFrom: null,
    inTo: null,
    outData: null,
    outFrom: null,
    outTo: null,
    params: null,
    paramsTo: null,
    inputs: null,
    outputs: null,
    parameters: null,
  };
}

/**
 * New frozen arrays of channels for the inputs (or outputs) in `r.header`
 * from `first` to `end`, over one new buffer (one more sample than needed,
 * so that a transferred, hence detached, buffer always shows).
 */
function channelArrays(r, first, end) {
  const header = r.header;
  let total = 1;
  for (let i = first; i < end; i++) total += header[i] * QUANTUM;
  const data = new Float32Array(total);
  const arrays = [];
  let at = 0;
  for (let i = first; i < end; i++) {
    const channels = [];
    for (let c = 0; c < header[i]; c++) {
      ArrayPrototypePush(channels, TypedArrayPrototypeSubarray(data, at, at + QUANTUM));
      at += QUANTUM;
    }
    ArrayPrototypePush(arrays, ObjectFreeze(channels));
    r.last[i] = header[i];
  }
  return { data, arrays: ObjectFreeze(arrays), samples: at };
}

/** A new frozen `parameters` object for the lengths in `r.header`. */
function rebuildParams(r) {
  const names = r.names;
  if (r.params === null || TypedArrayPrototypeGetLength(r.params) === 0) {
    r.params = new Float32Array(names.length * QUANTUM + 1);
    r.paramsTo = TypedArrayPrototypeSubarray(r.params, 0, names.length * QUANTUM);
  }
  const parameters = {};
  for (let k = 0; k < names.length; k++) {
    const length = r.header[r.nAudio + k];
    const start = k * QUANTUM;
    ObjectDefineProperty(parameters, names[k], {
      __proto__: null,
      value: TypedArrayPrototypeSubarray(r.params, start, start + length),
      enumerable: true,
    });
    r.last[r.nAudio + k] = length;
  }
  r.parameters = ObjectFreeze(parameters);
}

/** True when the counts `header[first..end]` differ from the arrays'. */
function layoutChanged(r, first, end) {
  for (let i = first; i < end; i++) {
    if (r.header[i] !== r.last[i]) return true;
  }
  return false;
}

function process(slot) {
  const r = records[slot];
  if (r === undefined) return false;
  if (!op_worklet_read(r.exchange)) return false;
  const nInputs = r.nInputs;
  const nAudio = r.nAudio;
  if (
    r.inData === null || TypedArrayPrototypeGetLength(r.inData) === 0 ||
    layoutChanged(r, 0, nInputs)
  ) {
    const built = channelArrays(r, 0, nInputs);
    r.inData = built.data;
    r.inputs = built.arrays;
    r.inFrom = TypedArrayPrototypeSubarray(r.exchange, r.inBase, r.inBase + built.samples);
    r.inTo = TypedArrayPrototypeSubarray(built.data, 0, built.samples);
  }
  if (
    r.outData === null || TypedArrayPrototypeGetLength(r.outData) === 0 ||
    layoutChanged(r, nInputs, nAudio)
  ) {
    const built = channelArrays(r, nInputs, nAudio);
    r.outData = built.data;
    r.outputs = built.arrays;
    r.outFrom = TypedArrayPrototypeSubarray(built.data, 0, built.samples);
    r.outTo = TypedArrayPrototypeSubarray(r.exchange, r.outBase, r.outBase + built.samples);
  }
  if (
    r.params === null || TypedArrayPrototypeGetLength(r.params) === 0 ||
    layoutChanged(r, nAudio, r.header.length)
  ) {
    rebuildParams(r);
  }
  TypedArrayPrototypeSet(r.inTo, r.inFrom);
  TypedArrayPrototypeFill(r.outData, 0);
  TypedArrayPrototypeSet(r.paramsTo, r.exchangeParams);
  const processor = r.processor;
  const callback = processor.process;
  if (typeof callback !== "function") {
    throw new TypeError("The AudioWorkletProcessor's 'process' is not a function.");
  }
  const result = FunctionPrototypeCall(
    callback,
    processor,
    r.inputs,
    r.outputs,
    r.parameters,
  );
  // Outputs transferred away during the call give silence.
  if (TypedArrayPrototypeGetLength(r.outData) !== 0) {
    TypedArrayPrototypeSet(r.outTo, r.outFrom);
  } else {
    TypedArrayPrototypeFill(r.outTo, 0);
  }
  op_worklet_write(r.exchange);
  return !!result;
}

function remove(slot) {
  records[slot] = undefined;
}

// --- the global scope ---

/**
 * "Uncaught <error>" and the script's own stack frames (deno_web's are
 * noise), as the window's realm reports an uncaught error.
 */
function describeUncaught(errorEvent) {
  let stack;
  try {
    stack = errorEvent.error?.stack;
  } catch {
    // A getter that throws: the location below will do.
  }
  let text = errorEvent.message;
  if (typeof stack === "string") {
    const lines = StringPrototypeSplit(stack, "\n");
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (
        StringPrototypeStartsWith(StringPrototypeTrim(line), "at ") &&
        !StringPrototypeIncludes(line, "ext:")
      ) {
        text += `\n${line}`;
      }
    }
  } else if (errorEvent.filename) {
    text += `\n    at ${errorEvent.filename}:${errorEvent.lineno}:${errorEvent.colno}`;
  }
  return text;
}

const nonEnumerable = (value) => ({
  __proto__: null,
  value,
  writable: true,
  enumerable: false,
  configurable: true,
});

ObjectDefineProperties(globalThis, {
  AudioWorkletGlobalScope: nonEnumerable(AudioWorkletGlobalScope),
  AudioWorkletProcessor: nonEnumerable(AudioWorkletProcessor),
  WorkletGlobalScope: nonEnumerable(WorkletGlobalScope),
  console: nonEnumerable(
    new consoleModule.Console((msg, level) => {
      try {
        core.print(msg, level > 1);
      } catch {
        // Nowhere to report a closed stdout or stderr.
      }
    }),
  ),
  CustomEvent: nonEnumerable(event.CustomEvent),
  DOMException: nonEnumerable(DOMException),
  ErrorEvent: nonEnumerable(event.ErrorEvent),
  Event: nonEnumerable(event.Event),
  EventTarget: nonEnumerable(event.EventTarget),
  MessageEvent: nonEnumerable(event.MessageEvent),
  MessagePort: nonEnumerable(messagePort.MessagePort),
  TextDecoder: nonEnumerable(load("08_text_encoding").TextDecoder),
  TextEncoder: nonEnumerable(load("08_text_encoding").TextEncoder),
  URL: nonEnumerable(load("00_url").URL),
  URLSearchParams: nonEnumerable(load("00_url").URLSearchParams),
});
ObjectSetPrototypeOf(globalThis, AudioWorkletGlobalScope.prototype);
checkDispatchEventArgument(event);
// HTML's "report an exception" (an exception in a port's message listener,
// say) for a WorkletGlobalScope, which is no EventTarget: it goes to the
// console, as in Chrome, and the scope carries on. deno_web reports through
// the object saved here.
event.saveGlobalThisReference({
  dispatchEvent(errorEvent) {
    try {
      core.print(`${describeUncaught(errorEvent)}\n`, true);
    } catch {
      // Nowhere to report a closed stderr.
    }
    return false;
  },
});
removeEngineGlobals(globalThis);
// What deno_core leaves on the global object that a worklet scope has not.
for (const name of ObjectGetOwnPropertyNames(globalThis)) {
  if (ArrayPrototypeIncludes(["Deno", "__bootstrap", "queueMicrotask"], name)) {
    delete globalThis[name];
  }
}
ObjectDefineProperty(globalThis, "__webaudioWorkletHooks", {
  __proto__: null,
  value: { construct, process, remove },
  configurable: true,
});
})();
