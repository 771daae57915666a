// AudioNode, AudioScheduledSourceNode and AudioDestinationNode: the graph
// operations every node shares. Node-specific classes (2x files) build on
// `AudioNode` with `initAudioNode`.

(function () {
const { core, primordials } = __bootstrap;
const {
  op_audio_node_connect,
  op_audio_node_connect_param,
  op_audio_node_disconnect,
  op_audio_node_disconnect_output,
  op_audio_node_disconnect_node,
  op_audio_node_disconnect_node_output,
  op_audio_node_disconnect_node_output_input,
  op_audio_node_disconnect_param,
  op_audio_node_disconnect_param_output,
  op_audio_node_channel_config,
  op_audio_node_set_channel_count,
  op_audio_node_set_channel_count_mode,
  op_audio_node_set_channel_interpretation,
  op_audio_node_number_of_inputs,
  op_audio_node_number_of_outputs,
  op_audio_node_id,
  op_audio_node_param,
  op_audio_scheduled_source_node_start,
  op_audio_scheduled_source_node_stop,
  op_audio_destination_node_max_channel_count,
} = core.ops;
const {
  ObjectPrototypeIsPrototypeOf,
  RangeError,
  Symbol,
  SymbolFor,
  TypeError,
} = primordials;
const { webidl, converters } = core.loadExtScript(
  "ext:webaudio/00_webidl_audio.js",
);
const { DOMException } = core.loadExtScript(
  "ext:deno_web/01_dom_exception.js",
);
const event = core.loadExtScript("ext:deno_web/02_event.js");
const { EventTarget, defineEventHandler } = event;
const { AudioParamPrototype, createAudioParam, paramHandleOf, paramContextTokenOf } =
  core.loadExtScript("ext:webaudio/10_audio_param.js");
const { trackHandle } = core.loadExtScript("ext:webaudio/02_handles.js");

/**
 * Per-context internals: `contextInternals.get(value)` is the internals of
 * a BaseAudioContext, undefined for anything else. BaseAudioContext
 * installs the accessor (they live in a private field: a WeakMap value
 * that refers to its key is never collected by QuickJS).
 */
const contextInternals = { get: (_context) => undefined };

/** Only node classes of this extension may construct an AudioNode. */
const nodeKey = Symbol("AudioNode.key");

class AudioNode extends EventTarget {
  #context;
  #handle;
  #numberOfInputs;
  #numberOfOutputs;
  #channelCount;
  #channelCountMode;
  #channelInterpretation;

  constructor(key, context, handle) {
    if (key !== nodeKey) webidl.illegalConstructor();
    super();
    this.#handle = trackHandle(this, handle);
    this[webidl.brand] = webidl.brand;
    this.#context = context;
    contextInternals.get(context)?.requestFlush();
    this.#numberOfInputs = op_audio_node_number_of_inputs(handle);
    this.#numberOfOutputs = op_audio_node_number_of_outputs(handle);
    const [count, mode, interpretation] = op_audio_node_channel_config(handle);
    this.#channelCount = count;
    this.#channelCountMode = mode;
    this.#channelInterpretation = interpretation;
  }

  get context() {
    return this.#context;
  }

  get numberOfInputs() {
    return this.#numberOfInputs;
  }

  get numberOfOutputs() {
    return this.#numberOfOutputs;
  }

  get channelCount() {
    return this.#channelCount;
  }

  set channelCount(value) {
    const prefix = "Failed to set the 'channelCount' property on 'AudioNode'";
    value = converters["unsigned long"](value, prefix, "The provided value");
    op_audio_node_set_channel_count(this.#handle, value);
    this.#channelCount = value;
  }

  get channelCountMode() {
    return this.#channelCountMode;
  }

  set channelCountMode(value) {
    const prefix = "Failed to set the 'channelCountMode' property on 'AudioNode'";
    try {
      value = converters.ChannelCountMode(value, prefix, "The provided value");
    } catch {
      return; // an invalid enum value assigned to an attribute is ignored
    }
    op_audio_node_set_channel_count_mode(this.#handle, value);
    this.#channelCountMode = value;
  }

  get channelInterpretation() {
    return this.#channelInterpretation;
  }

  set channelInterpretation(value) {
    const prefix = "Failed to set the 'channelInterpretation' property on 'AudioNode'";
    try {
      value = converters.ChannelInterpretation(value, prefix, "The provided value");
    } catch {
      return;
    }
    op_audio_node_set_channel_interpretation(this.#handle, value);
    this.#channelInterpretation = value;
  }

  connect(destination, output = 0, input = 0) {
    const prefix = "Failed to execute 'connect' on 'AudioNode'";
    contextInternals.get(this.#context).requestFlush();
    webidl.requiredArguments(arguments.length, 1, prefix);
    if (ObjectPrototypeIsPrototypeOf(AudioNodePrototype, destination)) {
      output = converters["unsigned long"](output, prefix, "Argument 2");
      input = converters["unsigned long"](input, prefix, "Argument 3");
      if (destination.#context !== this.#context) {
        throw new DOMException(
          `${prefix}: cannot connect to an AudioNode belonging to a different audio context.`,
          "InvalidAccessError",
        );
      }
      op_audio_node_connect(this.#handle, destination.#handle, output, input);
      return destination;
    }
    if (ObjectPrototypeIsPrototypeOf(AudioParamPrototype, destination)) {
      output = converters["unsigned long"](output, prefix, "Argument 2");
      if (paramContextTokenOf(destination) !== contextInternals.get(this.#context).token) {
        throw new DOMException(
          `${prefix}: cannot connect to an AudioParam belonging to a different audio context.`,
          "InvalidAccessError",
        );
      }
      op_audio_node_connect_param(this.#handle, paramHandleOf(destination), output);
      return undefined;
    }
    throw new TypeError(
      `${prefix}: Overload resolution failed: parameter 1 is not of type 'AudioNode' or 'AudioParam'.`,
    );
  }

  disconnect(destinationOrOutput = undefined, output = undefined, input = undefined) {
    const prefix = "Failed to execute 'disconnect' on 'AudioNode'";
    contextInternals.get(this.#context).requestFlush();
    const argc = arguments.length;
    if (argc === 0) {
      op_audio_node_disconnect(this.#handle);
      return;
    }
    const target = destinationOrOutput;
    if (ObjectPrototypeIsPrototypeOf(AudioNodePrototype, target)) {
      if (argc === 1) {
        op_audio_node_disconnect_node(this.#handle, target.#handle);
        return;
      }
      output = converters["unsigned long"](output, prefix, "Argument 2");
      if (argc === 2) {
        op_audio_node_disconnect_node_output(this.#handle, target.#handle, output);
        return;
      }
      input = converters["unsigned long"](input, prefix, "Argument 3");
      op_audio_node_disconnect_node_output_input(
        this.#handle,
        target.#handle,
        output,
        input,
      );
      return;
    }
    if (ObjectPrototypeIsPrototypeOf(AudioParamPrototype, target)) {
      if (argc === 1) {
        op_audio_node_disconnect_param(this.#handle, paramHandleOf(target));
        return;
      }
      output = converters["unsigned long"](output, prefix, "Argument 2");
      op_audio_node_disconnect_param_output(this.#handle, paramHandleOf(target), output);
      return;
    }
    // disconnect(unsigned long output)
    output = converters["unsigned long"](target, prefix, "Argument 1");
    op_audio_node_disconnect_output(this.#handle, output);
  }

  [SymbolFor("Deno.privateCustomInspect")](inspect, options) {
    return `${this.constructor.name} ${inspect({
      numberOfInputs: this.#numberOfInputs,
      numberOfOutputs: this.#numberOfOutputs,
      channelCount: this.#channelCount,
      channelCountMode: this.#channelCountMode,
      channelInterpretation: this.#channelInterpretation,
    }, options)}`;
  }

  static handleOf(node) {
    return node.#handle;
  }

  static param(node, index) {
    return createAudioParam(
      op_audio_node_param(node.#handle, index),
      contextInternals.get(node.#context).token,
    );
  }
}

const audioNodeHandle = AudioNode.handleOf;
/** `index`-th AudioParam of `node`, as a new JS AudioParam. */
const nodeParam = AudioNode.param;
delete AudioNode.handleOf;
delete AudioNode.param;
webidl.configureInterface(AudioNode);
const AudioNodePrototype = AudioNode.prototype;
converters.AudioNode = webidl.createInterfaceConverter("AudioNode", AudioNodePrototype);

/**
 * The spec's "initialize the AudioNode" step for the AudioNodeOptions
 * members: each given value is set through its attribute, with the same
 * exceptions as the setter.
 */
function applyNodeOptions(node, options) {
  if (options.channelCount !== undefined) node.channelCount = options.channelCount;
  if (options.channelCountMode !== undefined) {
    node.channelCountMode = options.channelCountMode;
  }
  if (options.channelInterpretation !== undefined) {
    node.channelInterpretation = options.channelInterpretation;
  }
}

/** Converts the `context` argument of a node constructor. */
function contextArgument(context, prefix) {
  const internals = contextInternals.get(context);
  if (internals === undefined) {
    throw new TypeError(`${prefix}: parameter 1 is not of type 'BaseAudioContext'.`);
  }
  return internals;
}

class AudioScheduledSourceNode extends AudioNode {
  #started = false;

  constructor(key, context, handle) {
    super(key, context, handle);
  }

  start(when = 0) {
    const prefix = `Failed to execute 'start' on '${this.constructor.name}'`;
    when = converters.double(when, prefix, "Argument 1");
    this.#checkStart(prefix, when);
    this.#started = true;
    op_audio_scheduled_source_node_start(audioNodeHandle(this), when);
    contextInternals.get(this.context).sourceStarted(this);
  }

  stop(when = 0) {
    const prefix = `Failed to execute 'stop' on '${this.constructor.name}'`;
    when = converters.double(when, prefix, "Argument 1");
    if (!this.#started) {
      throw new DOMException(`${prefix}: cannot call stop without calling start first.`, "InvalidStateError");
    }
    if (when < 0) {
      throw new RangeError(`${prefix}: The stop time provided (${when}) is less than the minimum bound (0).`);
    }
    op_audio_scheduled_source_node_stop(audioNodeHandle(this), when);
  }

  /** start()'s checks, for subclasses with a longer start(). */
  #checkStart(prefix, when) {
    if (this.#started) {
      throw new DOMException(`${prefix}: cannot call start more than once.`, "InvalidStateError");
    }
    if (when < 0) {
      throw new RangeError(`${prefix}: The start time provided (${when}) is less than the minimum bound (0).`);
    }
  }

  static markStarted(node, prefix, when) {
    node.#checkStart(prefix, when);
    node.#started = true;
  }
}
const markSourceStarted = AudioScheduledSourceNode.markStarted;
delete AudioScheduledSourceNode.markStarted;
defineEventHandler(AudioScheduledSourceNode.prototype, "ended");
webidl.configureInterface(AudioScheduledSourceNode);

class AudioDestinationNode extends AudioNode {
  constructor(key, context, handle) {
    super(key, context, handle);
  }

  get maxChannelCount() {
    return op_audio_destination_node_max_channel_count(audioNodeHandle(this));
  }
}
webidl.configureInterface(AudioDestinationNode);

return {
  AudioNode,
  AudioNodePrototype,
  AudioScheduledSourceNode,
  AudioDestinationNode,
  applyNodeOptions,
  audioNodeHandle,
  contextArgument,
  contextInternals,
  markSourceStarted,
  nodeKey,
  nodeParam,
  op_audio_node_id,
};
})();
