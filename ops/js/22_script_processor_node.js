// ScriptProcessorNode and AudioProcessingEvent (deprecated, still in the
// spec). The engine fills a block of `bufferSize` frames per channel and
// posts an engine event; the context's event pump calls `#drain`, which
// fires `audioprocess` for every waiting block and hands the outputBuffer
// back. The node's output lags its input by two buffers (2 * bufferSize
// frames), as in browsers.

(function () {
const { core, primordials } = __bootstrap;
const {
  op_script_processor_node_new,
  op_script_processor_node_info,
  op_script_processor_node_take_input,
  op_script_processor_node_give_output,
  op_script_processor_node_underruns,
} = core.ops;
const {
  Float32Array,
  SafeSet,
  SetPrototypeAdd,
  SetPrototypeDelete,
  SetPrototypeGetSize,
  SetPrototypeHas,
  Symbol,
  TypeError,
  TypedArrayPrototypeSet,
  TypedArrayPrototypeSubarray,
  WeakRef,
  WeakRefPrototypeDeref,
} = primordials;
const { webidl, converters } = core.loadExtScript(
  "ext:webaudio/00_webidl_audio.js",
);
const { Event, defineEventHandler } = core.loadExtScript(
  "ext:deno_web/02_event.js",
);
const { AudioBuffer } = core.loadExtScript("ext:webaudio/01_audio_buffer.js");
const {
  AudioNode,
  audioNodeHandle,
  contextArgument,
  nodeKey,
  op_audio_node_id,
} = core.loadExtScript("ext:webaudio/11_audio_node.js");
const { nodeClasses, nodeFactories } = core.loadExtScript(
  "ext:webaudio/12_base_audio_context.js",
);

class AudioProcessingEvent extends Event {
  #playbackTime;
  #inputBuffer;
  #outputBuffer;

  constructor(type, eventInitDict) {
    const prefix = "Failed to construct 'AudioProcessingEvent'";
    webidl.requiredArguments(arguments.length, 2, prefix);
    type = converters.DOMString(type, prefix, "Argument 1");
    if (typeof eventInitDict !== "object" || eventInitDict === null) {
      throw new TypeError(`${prefix}: parameter 2 is not of type 'AudioProcessingEventInit'.`);
    }
    const ctx = "of 'AudioProcessingEventInit'";
    // Dictionary members are converted in lexicographic order.
    const inputBuffer = required(eventInitDict, "inputBuffer", converters.AudioBuffer, prefix, ctx);
    const outputBuffer = required(eventInitDict, "outputBuffer", converters.AudioBuffer, prefix, ctx);
    const playbackTime = required(eventInitDict, "playbackTime", converters.double, prefix, ctx);
    super(type, eventInitDict);
    this.#playbackTime = playbackTime;
    this.#inputBuffer = inputBuffer;
    this.#outputBuffer = outputBuffer;
  }

  get playbackTime() {
    return this.#playbackTime;
  }

  get inputBuffer() {
    return this.#inputBuffer;
  }

  get outputBuffer() {
    return this.#outputBuffer;
  }
}

function required(dict, key, converter, prefix, ctx) {
  const value = dict[key];
  if (value === undefined) {
    throw new TypeError(`${prefix}: '${key}' ${ctx} is required.`);
  }
  return converter(value, prefix, `'${key}' ${ctx}`);
}

webidl.configureInterface(AudioProcessingEvent);

const spnKey = Symbol("ScriptProcessorNode.key");

class ScriptProcessorNode extends AudioNode {
  #bufferSize;
  #inputChannels;
  #outputChannels;
  #input;
  #output;
  #listeners = new SafeSet();
  #handlerWrapper = null;
  #connected = false;
  #refresh;

  constructor(key, context, handle, refresh) {
    if (key !== spnKey) webidl.illegalConstructor();
    super(nodeKey, context, handle);
    const { 0: bufferSize, 1: inputs, 2: outputs } = op_script_processor_node_info(handle);
    this.#bufferSize = bufferSize;
    this.#inputChannels = inputs;
    this.#outputChannels = outputs;
    this.#input = new Float32Array(inputs * bufferSize);
    this.#output = new Float32Array(outputs * bufferSize);
    this.#refresh = refresh;
  }

  get bufferSize() {
    return this.#bufferSize;
  }

  addEventListener(type, callback, options = undefined) {
    super.addEventListener(type, callback, options);
    if (type === "audioprocess" && callback !== null && callback !== undefined) {
      SetPrototypeAdd(this.#listeners, callback);
      this.#refresh(this);
    }
  }

  removeEventListener(type, callback, options = undefined) {
    super.removeEventListener(type, callback, options);
    if (type === "audioprocess") {
      SetPrototypeDelete(this.#listeners, callback);
      this.#refresh(this);
    }
  }

  connect(...args) {
    const result = super.connect(...args);
    this.#connected = true;
    this.#refresh(this);
    return result;
  }

  disconnect(...args) {
    super.disconnect(...args);
    // Only the forms that remove every connection are tracked exactly; a
    // partial disconnect keeps the node counted as connected.
    if (args.length === 0) {
      this.#connected = false;
      this.#refresh(this);
    }
  }

  /** Buffer periods the render side played as silence because script was late. */
  static underruns(node) {
    return op_script_processor_node_underruns(audioNodeHandle(node));
  }

  /** A connected node with an `audioprocess` listener keeps the process alive. */
  static keepsAlive(node) {
    if (!node.#connected) return false;
    if (node.onaudioprocess !== null) return true;
    const size = SetPrototypeGetSize(node.#listeners);
    const wrapped = node.#handlerWrapper !== null &&
      SetPrototypeHas(node.#listeners, node.#handlerWrapper);
    return size > (wrapped ? 1 : 0);
  }

  static markHandlerWrapper(node) {
    // defineEventHandler adds its wrapper through addEventListener just
    // before calling this: it is the most recently added listener.
    let last = null;
    for (const cb of node.#listeners) last = cb;
    node.#handlerWrapper = last;
    node.#refresh(node);
  }

  /** Fires `audioprocess` for every block the engine has waiting. */
  static drain(node) {
    const handle = audioNodeHandle(node);
    const bs = node.#bufferSize;
    const sampleRate = node.context.sampleRate;
    while (true) {
      const frame = op_script_processor_node_take_input(handle, node.#input);
      if (frame < 0) return;
      const inputBuffer = new AudioBuffer({
        numberOfChannels: node.#inputChannels,
        length: bs,
        sampleRate,
      });
      for (let c = 0; c < node.#inputChannels; c++) {
        TypedArrayPrototypeSet(
          inputBuffer.getChannelData(c),
          TypedArrayPrototypeSubarray(node.#input, c * bs, (c + 1) * bs),
        );
      }
      const outputBuffer = new AudioBuffer({
        numberOfChannels: node.#outputChannels,
        length: bs,
        sampleRate,
      });
      try {
        const event = new AudioProcessingEvent("audioprocess", {
          playbackTime: frame / sampleRate,
          inputBuffer,
          outputBuffer,
        });
        node.dispatchEvent(event);
      } finally {
        for (let c = 0; c < node.#outputChannels; c++) {
          TypedArrayPrototypeSet(node.#output, outputBuffer.getChannelData(c), c * bs);
        }
        op_script_processor_node_give_output(handle, node.#output);
      }
    }
  }
}
const spnDrain = ScriptProcessorNode.drain;
const spnKeepsAlive = ScriptProcessorNode.keepsAlive;
const spnUnderruns = ScriptProcessorNode.underruns;
const markHandlerWrapper = ScriptProcessorNode.markHandlerWrapper;
delete ScriptProcessorNode.drain;
delete ScriptProcessorNode.keepsAlive;
delete ScriptProcessorNode.underruns;
delete ScriptProcessorNode.markHandlerWrapper;
defineEventHandler(ScriptProcessorNode.prototype, "audioprocess", markHandlerWrapper);
webidl.configureInterface(ScriptProcessorNode);

nodeClasses.ScriptProcessorNode = ScriptProcessorNode;
/**
 * The context finds its ScriptProcessorNodes through weak references: it
 * holds one strongly only while it keeps the process alive (connected, with
 * an `audioprocess` listener), as a browser keeps such a node.
 */
nodeFactories.createScriptProcessor = (context, internals, bufferSize, inputs, outputs) => {
  const handle = op_script_processor_node_new(internals.handle, bufferSize, inputs, outputs);
  const entry = { strong: null, drain: null, keepsAlive: null };
  const refresh = (node) => {
    entry.strong = spnKeepsAlive(node) ? node : null;
    internals.refresh();
  };
  const node = new ScriptProcessorNode(spnKey, context, handle, refresh);
  const ref = new WeakRef(node);
  entry.drain = () => {
    const n = WeakRefPrototypeDeref(ref);
    if (n !== undefined) spnDrain(n);
  };
  // null once the node is gone: the context then forgets the entry.
  entry.keepsAlive = () => {
    const n = WeakRefPrototypeDeref(ref);
    return n === undefined ? null : spnKeepsAlive(n);
  };
  internals.scriptProcessorCreated(op_audio_node_id(handle), entry);
  return node;
};

return { AudioProcessingEvent, ScriptProcessorNode, scriptProcessorUnderruns: spnUnderruns };
})();
