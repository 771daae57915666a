// BaseAudioContext: what AudioContext and OfflineAudioContext share, the
// factory methods, and the event pump that brings engine events (ended,
// state changes, offline completion) back to JS.

(function () {
const { core, primordials } = __bootstrap;
const {
  op_base_audio_context_sample_rate,
  op_base_audio_context_current_time,
  op_base_audio_context_destination,
  op_base_audio_context_listener_param,
  op_base_audio_context_may_make_sound,
  op_base_audio_context_next_event,
  op_base_audio_context_flush,
  op_webaudio_collect_if_due,
} = core.ops;
const {
  ArrayPrototypeFilter,
  ArrayPrototypePush,
  PromisePrototypeThen,
  PromiseResolve,
  MapPrototypeDelete,
  MapPrototypeGet,
  MapPrototypeSet,
  ObjectFreeze,
  Promise,
  PromiseReject,
  SafeMap,
  Symbol,
  SymbolFor,
  WeakRef,
  WeakRefPrototypeDeref,
} = primordials;
const { webidl, converters } = core.loadExtScript(
  "ext:webaudio/00_webidl_audio.js",
);
const { DOMException } = core.loadExtScript(
  "ext:deno_web/01_dom_exception.js",
);
const { EventTarget, Event, defineEventHandler } = core.loadExtScript(
  "ext:deno_web/02_event.js",
);
const { AudioBuffer } = core.loadExtScript("ext:webaudio/01_audio_buffer.js");
const { createAudioParam } = core.loadExtScript("ext:webaudio/10_audio_param.js");
const { trackHandle } = core.loadExtScript("ext:webaudio/02_handles.js");
const {
  AudioDestinationNode,
  contextInternals,
  nodeKey,
  op_audio_node_id,
  audioNodeHandle,
} = core.loadExtScript("ext:webaudio/11_audio_node.js");

const { setTimeout } = core.loadExtScript("ext:deno_web/02_timers.js");

/** Runs `fn` in a later task (after every pending microtask). */
function queueTask(fn) {
  setTimeout(fn, 0);
}

/** Node classes register here so factory methods can find them. */
const nodeClasses = { __proto__: null };
/** Factory methods of nodes without a public constructor. */
const nodeFactories = { __proto__: null };

/** Scripts of things that are not globals. */
const internalScripts = {
  __proto__: null,
  decodeAudioData: "40_decode_audio_data",
};

/**
 * The class named `name`, loading its script on first use (the globals are
 * lazily loaded too); undefined for an interface not implemented yet.
 */
function nodeClass(name) {
  if (nodeClasses[name] === undefined) {
    const { webAudioGlobalScripts } = core.loadExtScript(
      "ext:webaudio/99_global_scope.js",
    );
    const script = webAudioGlobalScripts[name] ?? internalScripts[name];
    if (script !== undefined) core.loadExtScript(`ext:webaudio/${script}.js`);
  }
  return nodeClasses[name];
}

const contextKey = Symbol("BaseAudioContext.key");

function notSupported(method, what) {
  throw new DOMException(
    `Failed to execute '${method}' on 'BaseAudioContext': ${what} is not implemented in webaudio-run yet.`,
    "NotSupportedError",
  );
}

class AudioListener {
  #params;

  /** Holds its params only: no reference back to the context. */
  constructor(key, internals) {
    if (key !== contextKey) webidl.illegalConstructor();
    this.#params = [];
    for (let i = 0; i < 9; i++) {
      this.#params[i] = createAudioParam(
        op_base_audio_context_listener_param(internals.handle, i),
        internals.token,
      );
    }
  }

  get positionX() {
    return this.#params[0];
  }
  get positionY() {
    return this.#params[1];
  }
  get positionZ() {
    return this.#params[2];
  }
  get forwardX() {
    return this.#params[3];
  }
  get forwardY() {
    return this.#params[4];
  }
  get forwardZ() {
    return this.#params[5];
  }
  get upX() {
    return this.#params[6];
  }
  get upY() {
    return this.#params[7];
  }
  get upZ() {
    return this.#params[8];
  }

  setPosition(x, y, z) {
    const prefix = "Failed to execute 'setPosition' on 'AudioListener'";
    webidl.requiredArguments(arguments.length, 3, prefix);
    x = converters.float(x, prefix, "Argument 1");
    y = converters.float(y, prefix, "Argument 2");
    z = converters.float(z, prefix, "Argument 3");
    this.#params[0].value = x;
    this.#params[1].value = y;
    this.#params[2].value = z;
  }

  setOrientation(x, y, z, xUp, yUp, zUp) {
    const prefix = "Failed to execute 'setOrientation' on 'AudioListener'";
    webidl.requiredArguments(arguments.length, 6, prefix);
    const values = [x, y, z, xUp, yUp, zUp];
    for (let i = 0; i < 6; i++) {
      values[i] = converters.float(values[i], prefix, `Argument ${i + 1}`);
    }
    for (let i = 0; i < 6; i++) {
      this.#params[3 + i].value = values[i];
    }
  }
}
webidl.configureInterface(AudioListener);

class BaseAudioContext extends EventTarget {
  #handle;
  #internals;
  #sampleRate;
  #destination;
  #listener = null;
  #state = "suspended";
  /** Sources between start() and `ended`, by node id: kept alive for their event. */
  #playing = new SafeMap();
  /** ScriptProcessorNodes by node id: `{ drain, keepsAlive }` (weak). */
  #scriptProcessors = new SafeMap();
  /** AudioWorkletNodes by node id: `{ ready, error }` for their processor's fate. */
  #workletNodes = new SafeMap();
  #audioWorklet = null;
  /**
   * `{ ref, callback }`: `callback(target)` runs once when the context
   * closes, for each target still alive (worklet ports stop holding the
   * process). Targets are held weakly; dead ones are pruned as it grows.
   */
  #onClose = [];
  #onCloseLive = 0;
  #flushQueued = false;
  /** Pending promises and transitions that keep the event pump referenced. */
  #pending = 0;
  #pumpRunning = false;
  #pumpPromise = null;
  #pumpRefed = true;
  #onEvent;
  #offline;

  constructor(key, handle, onEvent, offline) {
    if (key !== contextKey) webidl.illegalConstructor();
    super();
    this.#handle = trackHandle(this, handle);
    this[webidl.brand] = webidl.brand;
    this.#offline = offline;
    this.#onEvent = onEvent;
    this.#sampleRate = op_base_audio_context_sample_rate(handle);
    this.#internals = {
      handle,
      /** Names the context in its AudioParams, without holding it. */
      token: ObjectFreeze({ __proto__: null }),
      sourceStarted: (node) => {
        MapPrototypeSet(this.#playing, op_audio_node_id(audioNodeHandle(node)), node);
        this.#updatePumpRef();
      },
      scriptProcessorCreated: (id, entry) => {
        MapPrototypeSet(this.#scriptProcessors, id, entry);
        this.#updatePumpRef();
      },
      // The graph changes of one task reach the render thread together:
      // they are sent when the task's microtasks run.
      requestFlush: () => {
        if (this.#flushQueued) return;
        this.#flushQueued = true;
        PromisePrototypeThen(PromiseResolve(), () => {
          this.#flushQueued = false;
          op_base_audio_context_flush(handle);
        });
      },
      onClose: (target, callback) => {
        if (this.#state === "closed") {
          callback(target);
          return;
        }
        if (this.#onClose.length >= 64 && this.#onClose.length >= 2 * this.#onCloseLive) {
          this.#onClose = ArrayPrototypeFilter(
            this.#onClose,
            (entry) => WeakRefPrototypeDeref(entry.ref) !== undefined,
          );
          this.#onCloseLive = this.#onClose.length;
        }
        ArrayPrototypePush(this.#onClose, { ref: new WeakRef(target), callback });
      },
      workletNodeCreated: (id, callbacks) => {
        MapPrototypeSet(this.#workletNodes, id, callbacks);
      },
      refresh: () => this.#updatePumpRef(),
    };
    // The destination and the context refer to each other: the one cycle
    // of a context's own objects (a context is heavy in the GC pressure
    // estimate, so a collection comes soon after it is dropped).
    this.#destination = new AudioDestinationNode(
      nodeKey,
      this,
      op_base_audio_context_destination(handle),
    );
    // An offline context has events only while something is pending
    // (rendering, a worklet module or processor, a decode): its pump starts
    // then, so an idle one costs nothing and can be collected.
    if (!offline) this.#ensurePump();
  }

  get destination() {
    return this.#destination;
  }

  get sampleRate() {
    return this.#sampleRate;
  }

  get currentTime() {
    return op_base_audio_context_current_time(this.#handle);
  }

  get listener() {
    if (this.#listener === null) {
      this.#listener = new AudioListener(contextKey, this.#internals);
    }
    return this.#listener;
  }

  get state() {
    return this.#state;
  }

  get renderQuantumSize() {
    return 128;
  }

  get audioWorklet() {
    if (this.#audioWorklet === null) {
      nodeClass("AudioWorklet");
      this.#audioWorklet = nodeFactories.audioWorklet(this, this.#internals);
    }
    return this.#audioWorklet;
  }

  createBuffer(numberOfChannels, length, sampleRate) {
    const prefix = "Failed to execute 'createBuffer' on 'BaseAudioContext'";
    webidl.requiredArguments(arguments.length, 3, prefix);
    numberOfChannels = converters["unsigned long"](numberOfChannels, prefix, "Argument 1");
    length = converters["unsigned long"](length, prefix, "Argument 2");
    sampleRate = converters.float(sampleRate, prefix, "Argument 3");
    return new AudioBuffer({ numberOfChannels, length, sampleRate });
  }

  createGain() {
    return this.#create("createGain", "GainNode");
  }

  createConstantSource() {
    return this.#create("createConstantSource", "ConstantSourceNode");
  }

  createDelay(maxDelayTime = 1) {
    const prefix = "Failed to execute 'createDelay' on 'BaseAudioContext'";
    maxDelayTime = converters.double(maxDelayTime, prefix, "Argument 1");
    return this.#create("createDelay", "DelayNode", { maxDelayTime });
  }

  createAnalyser() {
    return this.#create("createAnalyser", "AnalyserNode");
  }

  createBiquadFilter() {
    return this.#create("createBiquadFilter", "BiquadFilterNode");
  }

  createBufferSource() {
    return this.#create("createBufferSource", "AudioBufferSourceNode");
  }

  createChannelMerger(numberOfInputs = 6) {
    const prefix = "Failed to execute 'createChannelMerger' on 'BaseAudioContext'";
    numberOfInputs = converters["unsigned long"](numberOfInputs, prefix, "Argument 1");
    return this.#create("createChannelMerger", "ChannelMergerNode", { numberOfInputs });
  }

  createChannelSplitter(numberOfOutputs = 6) {
    const prefix = "Failed to execute 'createChannelSplitter' on 'BaseAudioContext'";
    numberOfOutputs = converters["unsigned long"](numberOfOutputs, prefix, "Argument 1");
    return this.#create("createChannelSplitter", "ChannelSplitterNode", { numberOfOutputs });
  }

  createConvolver() {
    return this.#create("createConvolver", "ConvolverNode");
  }

  createDynamicsCompressor() {
    return this.#create("createDynamicsCompressor", "DynamicsCompressorNode");
  }

  createIIRFilter(feedforward, feedback) {
    const prefix = "Failed to execute 'createIIRFilter' on 'BaseAudioContext'";
    webidl.requiredArguments(arguments.length, 2, prefix);
    feedforward = converters["sequence<double>"](feedforward, prefix, "Argument 1");
    feedback = converters["sequence<double>"](feedback, prefix, "Argument 2");
    return this.#create("createIIRFilter", "IIRFilterNode", { feedforward, feedback });
  }

  createOscillator() {
    return this.#create("createOscillator", "OscillatorNode");
  }

  createPanner() {
    return this.#create("createPanner", "PannerNode");
  }

  createPeriodicWave(real, imag, constraints = {}) {
    const prefix = "Failed to execute 'createPeriodicWave' on 'BaseAudioContext'";
    webidl.requiredArguments(arguments.length, 2, prefix);
    real = converters["sequence<float>"](real, prefix, "Argument 1");
    imag = converters["sequence<float>"](imag, prefix, "Argument 2");
    constraints = converters.PeriodicWaveConstraints(constraints, prefix, "Argument 3");
    const PeriodicWave = nodeClass("PeriodicWave");
    if (PeriodicWave === undefined) {
      notSupported("createPeriodicWave", "PeriodicWave");
    }
    return new PeriodicWave(this, {
      real,
      imag,
      disableNormalization: constraints.disableNormalization,
    });
  }

  createScriptProcessor(bufferSize = 0, numberOfInputChannels = 2, numberOfOutputChannels = 2) {
    const prefix = "Failed to execute 'createScriptProcessor' on 'BaseAudioContext'";
    const ulong = converters["unsigned long"];
    bufferSize = ulong(bufferSize, prefix, "Argument 1");
    numberOfInputChannels = ulong(numberOfInputChannels, prefix, "Argument 2");
    numberOfOutputChannels = ulong(numberOfOutputChannels, prefix, "Argument 3");
    if (nodeClass("ScriptProcessorNode") === undefined) {
      notSupported("createScriptProcessor", "ScriptProcessorNode");
    }
    return nodeFactories.createScriptProcessor(
      this,
      this.#internals,
      bufferSize,
      numberOfInputChannels,
      numberOfOutputChannels,
    );
  }

  createStereoPanner() {
    return this.#create("createStereoPanner", "StereoPannerNode");
  }

  createWaveShaper() {
    return this.#create("createWaveShaper", "WaveShaperNode");
  }

  decodeAudioData(audioData, successCallback = undefined, errorCallback = undefined) {
    const decode = nodeClass("decodeAudioData");
    if (decode === undefined) {
      return PromiseReject(
        new DOMException(
          "Failed to execute 'decodeAudioData' on 'BaseAudioContext': decoding is not implemented in webaudio-run yet.",
          "NotSupportedError",
        ),
      );
    }
    return decode(this, arguments.length, audioData, successCallback, errorCallback);
  }

  #create(method, className, options = undefined) {
    const NodeClass = nodeClass(className);
    if (NodeClass === undefined) notSupported(method, className);
    return new NodeClass(this, options);
  }

  static {
    contextInternals.get = (context) =>
      typeof context === "object" && context !== null && #internals in context
        ? context.#internals
        : undefined;
  }

  // --- internals shared with AudioContext / OfflineAudioContext ---

  static handleOf(context) {
    return context.#handle;
  }

  /**
   * Sets `state` and, if it changed, fires `statechange` (now, or in a
   * queued task when `inTask`, as the spec's "queue a media element task").
   */
  static setState(context, state, inTask = false) {
    if (context.#state === state) return false;
    context.#state = state;
    if (state === "closed") {
      const entries = context.#onClose;
      context.#onClose = [];
      for (let i = 0; i < entries.length; i++) {
        const target = WeakRefPrototypeDeref(entries[i].ref);
        if (target !== undefined) entries[i].callback(target);
      }
    }
    if (inTask) queueTask(() => context.dispatchEvent(new Event("statechange")));
    else context.dispatchEvent(new Event("statechange"));
    return true;
  }

  /** Counts a pending promise or transition; the process stays alive for it. */
  static addPending(context, delta) {
    context.#pending += delta;
    if (delta > 0) context.#ensurePump();
    context.#updatePumpRef();
  }

  /**
   * Pending promises and transitions keep the process alive. Beyond those,
   * only a running realtime context that can still make sound does: an
   * offline context progresses only while rendering (counted as pending),
   * and a suspended or closed one only if script acts.
   */
  #keepsProcessAlive() {
    if (this.#pending > 0) return true;
    if (this.#offline || this.#state !== "running") return false;
    for (const { 0: id, 1: entry } of this.#scriptProcessors) {
      const keepsAlive = entry.keepsAlive();
      if (keepsAlive === null) MapPrototypeDelete(this.#scriptProcessors, id);
      else if (keepsAlive) return true;
    }
    return this.#playing.size > 0 || op_base_audio_context_may_make_sound(this.#handle);
  }

  #updatePumpRef() {
    const alive = this.#keepsProcessAlive();
    if (this.#pumpPromise === null || alive === this.#pumpRefed) return;
    if (alive) core.refOpPromise(this.#pumpPromise);
    else core.unrefOpPromise(this.#pumpPromise);
    this.#pumpRefed = alive;
  }

  #ensurePump() {
    if (this.#pumpRunning) return;
    this.#pumpRunning = true;
    this.#pump();
  }

  /**
   * Reads the engine's events until the context can have no more. Each
   * round also lets the handle table collect garbage when it is due, so a
   * realtime app that stops making nodes still sees its dropped ones go.
   */
  async #pump() {
    try {
      await this.#pumpEvents();
    } finally {
      this.#pumpRunning = false;
    }
  }

  async #pumpEvents() {
    while (true) {
      const promise = op_base_audio_context_next_event(this.#handle);
      this.#pumpPromise = promise;
      this.#pumpRefed = true;
      this.#updatePumpRef();
      const event = await promise;
      this.#pumpPromise = null;
      if (event.type === "ended") {
        const node = MapPrototypeGet(this.#playing, event.node);
        if (node !== undefined) {
          MapPrototypeDelete(this.#playing, event.node);
          node.dispatchEvent(new Event("ended"));
        }
      } else if (event.type === "audioprocess") {
        MapPrototypeGet(this.#scriptProcessors, event.node)?.drain();
      } else if (event.type === "processorerror") {
        MapPrototypeGet(this.#workletNodes, event.node)?.error();
      } else if (event.type === "processorready") {
        MapPrototypeGet(this.#workletNodes, event.node)?.ready();
      } else if (event.type !== "tick") {
        this.#onEvent(this, event);
      }
      op_webaudio_collect_if_due(event.type === "ended");
      if (this.#state === "closed" && this.#pending === 0) {
        // Nothing more can happen: sources of a closed context never end.
        this.#playing.clear();
        return;
      }
    }
  }

  [SymbolFor("Deno.privateCustomInspect")](inspect, options) {
    return `${this.constructor.name} ${inspect({
      state: this.state,
      sampleRate: this.sampleRate,
      currentTime: this.currentTime,
    }, options)}`;
  }
}

const contextHandleOf = BaseAudioContext.handleOf;
const setContextState = BaseAudioContext.setState;
const addPending = BaseAudioContext.addPending;
delete BaseAudioContext.handleOf;
delete BaseAudioContext.setState;
delete BaseAudioContext.addPending;
defineEventHandler(BaseAudioContext.prototype, "statechange");
webidl.configureInterface(BaseAudioContext);
const BaseAudioContextPrototype = BaseAudioContext.prototype;
converters.BaseAudioContext = webidl.createInterfaceConverter(
  "BaseAudioContext",
  BaseAudioContextPrototype,
);

/** Settles `promise` callbacks once the render thread reports `state`. */
function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

return {
  AudioListener,
  BaseAudioContext,
  BaseAudioContextPrototype,
  addPending,
  contextHandleOf,
  contextKey,
  deferred,
  nodeClasses,
  nodeFactories,
  queueTask,
  setContextState,
};
})();
