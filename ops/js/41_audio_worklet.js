// Worklet, AudioWorklet, AudioWorkletNode and AudioParamMap: the control
// thread's side of the AudioWorklet. Modules are fetched here and evaluated
// in the context's AudioWorkletGlobalScope on its render thread.

(function () {
const { core, primordials } = __bootstrap;
const {
  op_audio_worklet_add_module,
  op_audio_worklet_init,
  op_audio_worklet_node_new,
  op_audio_worklet_take_error,
  op_audio_worklet_take_registrations,
} = core.ops;
const {
  ArrayPrototype,
  ArrayPrototypePop,
  ArrayPrototypePush,
  ObjectGetPrototypeOf,
  ObjectPrototype,
  SafeSet,
  SetPrototypeAdd,
  SetPrototypeHas,
  FunctionPrototypeCall,
  Map,
  MapPrototypeEntries,
  MapPrototypeForEach,
  MapPrototypeGet,
  MapPrototypeGetSize,
  MapPrototypeHas,
  MapPrototypeKeys,
  MapPrototypeSet,
  MapPrototypeValues,
  ObjectDefineProperty,
  ObjectKeys,
  ObjectPrototypeIsPrototypeOf,
  PromiseReject,
  RegExpPrototypeExec,
  SafeMap,
  SafeWeakMap,
  StringPrototypeStartsWith,
  Symbol,
  SymbolIterator,
  TypeError,
  WeakRef,
  WeakRefPrototypeDeref,
} = primordials;
const { webidl, converters } = core.loadExtScript(
  "ext:webaudio/00_webidl_audio.js",
);
const { DOMException } = core.loadExtScript("ext:deno_web/01_dom_exception.js");
const DOMExceptionPrototype = DOMException.prototype;
const { ErrorEvent, EventTarget, defineEventHandler } = core.loadExtScript(
  "ext:deno_web/02_event.js",
);
const EventTargetPrototypeAddEventListener = EventTarget.prototype.addEventListener;
const EventTargetPrototypeRemoveEventListener = EventTarget.prototype.removeEventListener;
const messagePort = core.loadExtScript("ext:deno_web/13_message_port.js");
const {
  AudioNode,
  applyNodeOptions,
  contextArgument,
  nodeKey,
  nodeParam,
  audioNodeHandle,
  op_audio_node_id,
} = core.loadExtScript("ext:webaudio/11_audio_node.js");
const { addPending, nodeClasses, nodeFactories } = core.loadExtScript(
  "ext:webaudio/12_base_audio_context.js",
);

const MAX_CHANNELS = 32;

converters.RequestCredentials = webidl.createEnumConverter("RequestCredentials", [
  "omit",
  "same-origin",
  "include",
]);
converters.WorkletOptions = webidl.createDictionaryConverter("WorkletOptions", [
  { key: "credentials", converter: converters.RequestCredentials, defaultValue: "same-origin" },
]);
converters["record<DOMString, double>"] = webidl.createRecordConverter(
  converters.DOMString,
  converters.double,
);
converters.AudioWorkletNodeOptions = webidl.createDictionaryConverter(
  "AudioWorkletNodeOptions",
  [
    { key: "channelCount", converter: converters["unsigned long"] },
    { key: "channelCountMode", converter: converters.ChannelCountMode },
    { key: "channelInterpretation", converter: converters.ChannelInterpretation },
  ],
  [
    { key: "numberOfInputs", converter: converters["unsigned long"], defaultValue: 1 },
    { key: "numberOfOutputs", converter: converters["unsigned long"], defaultValue: 1 },
    {
      key: "outputChannelCount",
      converter: webidl.createSequenceConverter(converters["unsigned long"]),
    },
    { key: "parameterData", converter: converters["record<DOMString, double>"] },
    { key: "processorOptions", converter: converters.object },
  ],
);

/**
 * A worklet MessagePort keeps the process alive while it listens for
 * messages (as a page stays open), until its context closes: from then on
 * its receive loop unrefs each wait (as deno_web does for ports with a close
 * callback) and it never refs again.
 */
function contextBoundPort(port, internals) {
  const ref = messagePort.MessagePortPrototype[messagePort.refMessagePort];
  let closed = false;
  ObjectDefineProperty(port, messagePort.refMessagePort, {
    __proto__: null,
    value(wanted) {
      FunctionPrototypeCall(ref, this, wanted && !closed);
    },
    configurable: true,
  });
  internals.onClose(port, (p) => {
    closed = true;
    p[messagePort.nodeWorkerThreadCloseCb] = () => {};
    FunctionPrototypeCall(ref, p, false);
  });
  return port;
}

/** Hands a port's resource over (its JS object becomes unusable). */
function transferPort(port) {
  return core.getTransferableResource("MessagePort").send(port);
}

const FILE_URL_IN_STACK = /(file:\/\/[^\s)]+?):\d+:\d+/;

/** The base URL relative module URLs resolve against, as a document's. */
function baseUrl() {
  const location = globalThis.location;
  if (location !== undefined && typeof location?.href === "string") {
    return location.href;
  }
  const match = RegExpPrototypeExec(FILE_URL_IN_STACK, new Error().stack ?? "");
  if (match !== null) return match[1];
  return globalThis.WebAudioRun?.mainModule ?? "file:///";
}

async function fetchModuleSource(url) {
  if (StringPrototypeStartsWith(url, "blob:")) {
    const { blobFromObjectUrl } = core.loadExtScript("ext:deno_web/09_file.js");
    const blob = blobFromObjectUrl(url);
    if (blob === null) throw new TypeError(`no Blob is registered for '${url}'`);
    return await blob.text();
  }
  const response = await globalThis.fetch(url);
  if (!response.ok) throw new TypeError(`HTTP status ${response.status}`);
  return await response.text();
}

/** Adds what the scope registered since last asked to the name map. */
function takeRegistrations(internals) {
  const registered = op_audio_worklet_take_registrations(internals.handle);
  for (let i = 0; i < registered.length; i++) {
    MapPrototypeSet(internals.descriptors, registered[i].name, registered[i].descriptors);
  }
}

/** The descriptors registered for `name`, or undefined. */
function descriptorsOf(internals, name) {
  let descriptors = MapPrototypeGet(internals.descriptors, name);
  if (descriptors === undefined) {
    // registerProcessor may have run since (e.g. in a message handler).
    takeRegistrations(internals);
    descriptors = MapPrototypeGet(internals.descriptors, name);
  }
  return descriptors;
}

const workletKey = Symbol("Worklet.key");
/** Per context: its AudioWorklet's handle and name-to-descriptors map. */
const workletInternals = new SafeWeakMap();

class Worklet {
  #context;

  constructor(key, context) {
    if (key !== workletKey) webidl.illegalConstructor();
    this[webidl.brand] = webidl.brand;
    this.#context = context;
  }

  addModule(moduleURL, options = {}) {
    const prefix = "Failed to execute 'addModule' on 'Worklet'";
    let url;
    try {
      webidl.assertBranded(this, WorkletPrototype);
      webidl.requiredArguments(arguments.length, 1, prefix);
      moduleURL = converters.USVString(moduleURL, prefix, "Argument 1");
      options = converters.WorkletOptions(options, prefix, "Argument 2");
      try {
        url = new globalThis.URL(moduleURL, baseUrl()).href;
      } catch {
        throw new DOMException(`${prefix}: '${moduleURL}' is not a valid URL.`, "SyntaxError");
      }
    } catch (e) {
      return PromiseReject(e);
    }
    const context = this.#context;
    const internals = workletInternals.get(context);
    addPending(context, 1);
    return (async () => {
      try {
        let source;
        try {
          source = await fetchModuleSource(url);
        } catch (e) {
          throw new DOMException(
            `${prefix}: cannot fetch '${url}': ${e?.message ?? e}`,
            "AbortError",
          );
        }
        await op_audio_worklet_add_module(internals.handle, url, source);
        takeRegistrations(internals);
      } finally {
        addPending(context, -1);
      }
    })();
  }
}
webidl.configureInterface(Worklet);
const WorkletPrototype = Worklet.prototype;

class AudioWorklet extends Worklet {
  #port;

  constructor(key, context, port) {
    super(key, context);
    this.#port = port;
  }

  get port() {
    webidl.assertBranded(this, AudioWorkletPrototype);
    return this.#port;
  }
}
webidl.configureInterface(AudioWorklet);
const AudioWorkletPrototype = AudioWorklet.prototype;

/** `context.audioWorklet`: made once per context, starting its scope. */
nodeFactories.audioWorklet = (context, internals) => {
  const channel = new globalThis.MessageChannel();
  op_audio_worklet_init(internals.handle, transferPort(channel.port2));
  workletInternals.set(context, { handle: internals.handle, descriptors: new SafeMap() });
  return new AudioWorklet(workletKey, context, contextBoundPort(channel.port1, internals));
};

class AudioParamMap {
  #map;

  constructor(key, map) {
    if (key !== workletKey) webidl.illegalConstructor();
    this[webidl.brand] = webidl.brand;
    this.#map = map;
  }

  get size() {
    webidl.assertBranded(this, AudioParamMapPrototype);
    return MapPrototypeGetSize(this.#map);
  }

  entries() {
    webidl.assertBranded(this, AudioParamMapPrototype);
    return MapPrototypeEntries(this.#map);
  }

  keys() {
    webidl.assertBranded(this, AudioParamMapPrototype);
    return MapPrototypeKeys(this.#map);
  }

  values() {
    webidl.assertBranded(this, AudioParamMapPrototype);
    return MapPrototypeValues(this.#map);
  }

  forEach(callback, thisArg = undefined) {
    webidl.assertBranded(this, AudioParamMapPrototype);
    const prefix = "Failed to execute 'forEach' on 'AudioParamMap'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    if (typeof callback !== "function") {
      throw new TypeError(`${prefix}: The callback provided as parameter 1 is not a function.`);
    }
    MapPrototypeForEach(this.#map, (value, key) => {
      FunctionPrototypeCall(callback, thisArg, value, key, this);
    });
  }

  get(key) {
    webidl.assertBranded(this, AudioParamMapPrototype);
    const prefix = "Failed to execute 'get' on 'AudioParamMap'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    key = converters.DOMString(key, prefix, "Argument 1");
    return MapPrototypeGet(this.#map, key);
  }

  has(key) {
    webidl.assertBranded(this, AudioParamMapPrototype);
    const prefix = "Failed to execute 'has' on 'AudioParamMap'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    key = converters.DOMString(key, prefix, "Argument 1");
    return MapPrototypeHas(this.#map, key);
  }
}
ObjectDefineProperty(AudioParamMap.prototype, SymbolIterator, {
  __proto__: null,
  value: AudioParamMap.prototype.entries,
  writable: true,
  enumerable: false,
  configurable: true,
});
webidl.configureInterface(AudioParamMap);
const AudioParamMapPrototype = AudioParamMap.prototype;

/**
 * The kind of the first value StructuredSerialize refuses that sits in a
 * plain object or array reachable from `value` (a symbol or a function), or
 * undefined.
 */
function findUncloneable(value) {
  const seen = new SafeSet();
  const pending = [value];
  while (pending.length > 0) {
    const v = ArrayPrototypePop(pending);
    if (typeof v === "symbol") return "a Symbol";
    if (typeof v === "function") return "a function";
    if (typeof v !== "object" || v === null || SetPrototypeHas(seen, v)) continue;
    SetPrototypeAdd(seen, v);
    const proto = ObjectGetPrototypeOf(v);
    if (proto !== ObjectPrototype && proto !== ArrayPrototype && proto !== null) continue;
    const keys = ObjectKeys(v);
    for (let i = 0; i < keys.length; i++) ArrayPrototypePush(pending, v[keys[i]]);
  }
  return undefined;
}

/** The AudioWorkletNodeOptions dictionary as the processor receives it. */
function optionsObject(options) {
  const object = {};
  const members = [
    "channelCount",
    "channelCountMode",
    "channelInterpretation",
    "numberOfInputs",
    "numberOfOutputs",
    "outputChannelCount",
    "parameterData",
    "processorOptions",
  ];
  for (let i = 0; i < members.length; i++) {
    const value = options[members[i]];
    if (value !== undefined) object[members[i]] = value;
  }
  return object;
}

class AudioWorkletNode extends AudioNode {
  #parameters;
  #port;
  /** Its entry in the context's registry of worklet nodes. */
  #entry;
  #errorListeners = 0;

  constructor(context, name, options = {}) {
    const prefix = "Failed to construct 'AudioWorkletNode'";
    webidl.requiredArguments(arguments.length, 2, prefix);
    const internals = contextArgument(context, prefix);
    name = converters.DOMString(name, prefix, "Argument 2");
    options = converters.AudioWorkletNodeOptions(options, prefix, "Argument 3");
    const worklet = workletInternals.get(context);
    const descriptors = worklet === undefined ? undefined : descriptorsOf(worklet, name);
    if (descriptors === undefined) {
      throw new DOMException(
        `${prefix}: AudioWorkletNode cannot be created: the node name '${name}' is not defined in AudioWorkletGlobalScope.`,
        "InvalidStateError",
      );
    }
    // Initialize the AudioNode: the checks its channel attributes make.
    if (
      options.channelCount !== undefined &&
      (options.channelCount === 0 || options.channelCount > MAX_CHANNELS)
    ) {
      throw new DOMException(
        `${prefix}: channelCount ${options.channelCount} is outside [1, ${MAX_CHANNELS}].`,
        "NotSupportedError",
      );
    }
    // Configure input, output and output channels.
    const { numberOfInputs, numberOfOutputs, outputChannelCount } = options;
    if (numberOfInputs === 0 && numberOfOutputs === 0) {
      throw new DOMException(
        `${prefix}: numberOfInputs and numberOfOutputs cannot both be 0.`,
        "NotSupportedError",
      );
    }
    if (outputChannelCount !== undefined) {
      for (let i = 0; i < outputChannelCount.length; i++) {
        const count = outputChannelCount[i];
        if (count === 0 || count > MAX_CHANNELS) {
          throw new DOMException(
            `${prefix}: outputChannelCount[${i}] is ${count}, outside [1, ${MAX_CHANNELS}].`,
            "NotSupportedError",
          );
        }
      }
      if (outputChannelCount.length !== numberOfOutputs) {
        throw new DOMException(
          `${prefix}: outputChannelCount has ${outputChannelCount.length} entries for ${numberOfOutputs} outputs.`,
          "IndexSizeError",
        );
      }
    }
    const channel = new globalThis.MessageChannel();
    let serialized;
    try {
      const optionsValue = optionsObject(options);
      // The QuickJS serializer lets nested symbols through: refuse them
      // (and functions) as StructuredSerialize does.
      const uncloneable = findUncloneable(optionsValue);
      if (uncloneable !== undefined) {
        throw new DOMException(
          `${prefix}: ${uncloneable} in the options cannot be cloned.`,
          "DataCloneError",
        );
      }
      serialized = messagePort.serializeJsMessageData(optionsValue, []);
    } catch (e) {
      if (ObjectPrototypeIsPrototypeOf(DOMExceptionPrototype, e)) throw e;
      // The serializer reports some uncloneable values (functions) as a
      // TypeError; StructuredSerialize throws DataCloneError.
      throw new DOMException(
        `${prefix}: the options cannot be cloned: ${e?.message ?? e}`,
        "DataCloneError",
      );
    }
    const handle = op_audio_worklet_node_new(
      internals.handle,
      name,
      numberOfInputs,
      numberOfOutputs,
      outputChannelCount ?? null,
      descriptors,
      serialized.data,
      transferPort(channel.port2),
    );
    super(nodeKey, context, handle);
    applyNodeOptions(this, options);
    this.#port = contextBoundPort(channel.port1, internals);
    const map = new Map();
    for (let i = 0; i < descriptors.length; i++) {
      MapPrototypeSet(map, descriptors[i].name, nodeParam(this, i));
    }
    if (options.parameterData !== undefined) {
      const names = ObjectKeys(options.parameterData);
      for (let i = 0; i < names.length; i++) {
        const param = MapPrototypeGet(map, names[i]);
        if (param !== undefined) param.value = options.parameterData[names[i]];
      }
    }
    this.#parameters = new AudioParamMap(workletKey, map);
    // Until its processor is constructed (or fails to be), the node is a
    // pending operation that keeps the process alive.
    addPending(context, 1);
    let settled = false;
    const settle = () => {
      if (!settled) {
        settled = true;
        addPending(context, -1);
      }
    };
    // Only the id: the entry must not keep the node's engine handle alive.
    const id = op_audio_node_id(handle);
    const ref = new WeakRef(this);
    this.#entry = {
      // Set while someone listens for processorerror: a node that can
      // still fire an event someone hears stays alive, as in a browser.
      strong: null,
      ready: settle,
      error: () => {
        settle();
        const node = WeakRefPrototypeDeref(ref);
        if (node === undefined) return;
        const info = op_audio_worklet_take_error(internals.handle, id) ?? {};
        node.dispatchEvent(
          new ErrorEvent("processorerror", {
            message: info.message ?? "",
            filename: info.filename ?? "",
            lineno: info.lineno ?? 0,
            colno: info.colno ?? 0,
          }),
        );
      },
    };
    internals.workletNodeCreated(id, this.#entry);
  }

  addEventListener(type, callback, options = undefined) {
    FunctionPrototypeCall(EventTargetPrototypeAddEventListener, this, type, callback, options);
    if (#entry in this && `${type}` === "processorerror" && callback !== null) {
      this.#errorListeners++;
      this.#entry.strong = this;
    }
  }

  removeEventListener(type, callback, options = undefined) {
    FunctionPrototypeCall(EventTargetPrototypeRemoveEventListener, this, type, callback, options);
    if (#entry in this && `${type}` === "processorerror" && callback !== null) {
      if (this.#errorListeners > 0 && --this.#errorListeners === 0) this.#entry.strong = null;
    }
  }

  get parameters() {
    if (!(#parameters in this)) throw new TypeError("Illegal invocation");
    return this.#parameters;
  }

  get port() {
    if (!(#port in this)) throw new TypeError("Illegal invocation");
    return this.#port;
  }
}
defineEventHandler(AudioWorkletNode.prototype, "processorerror");
webidl.configureInterface(AudioWorkletNode);
nodeClasses.AudioWorkletNode = AudioWorkletNode;

return { AudioParamMap, AudioWorklet, AudioWorkletNode, Worklet };
})();
