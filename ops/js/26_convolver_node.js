// ConvolverNode.

(function () {
const { core } = __bootstrap;
const {
  op_convolver_node_new,
  op_convolver_node_set_buffer,
  op_convolver_node_clear_buffer,
  op_convolver_node_normalize,
  op_convolver_node_set_normalize,
} = core.ops;
const { webidl, converters } = core.loadExtScript(
  "ext:webaudio/00_webidl_audio.js",
);
const { audioBufferInternals } = core.loadExtScript(
  "ext:webaudio/01_audio_buffer.js",
);
const {
  AudioNode,
  applyNodeOptions,
  audioNodeHandle,
  contextArgument,
  nodeKey,
} = core.loadExtScript("ext:webaudio/11_audio_node.js");
const { nodeClasses } = core.loadExtScript(
  "ext:webaudio/12_base_audio_context.js",
);

// Needs the AudioBuffer converter, so it lives here, not in 00_webidl_audio.
converters.ConvolverOptions = webidl.createDictionaryConverter(
  "ConvolverOptions",
  [
    { key: "channelCount", converter: converters["unsigned long"] },
    { key: "channelCountMode", converter: converters.ChannelCountMode },
    {
      key: "channelInterpretation",
      converter: converters.ChannelInterpretation,
    },
  ],
  [
    { key: "buffer", converter: converters["AudioBuffer?"] },
    {
      key: "disableNormalization",
      converter: converters.boolean,
      defaultValue: false,
    },
  ],
);

// The buffer's channels laid end to end: the engine copies them (the
// spec's "acquire the content") and builds the kernel from that copy.
function setBuffer(handle, buffer) {
  if (buffer === null) {
    op_convolver_node_clear_buffer(handle);
    return;
  }
  const channels = audioBufferInternals.channels(buffer);
  const length = buffer.length;
  const data = new Float32Array(channels.length * length);
  for (let c = 0; c < channels.length; c++) {
    data.set(channels[c], c * length);
  }
  op_convolver_node_set_buffer(handle, data, channels.length, buffer.sampleRate);
}

class ConvolverNode extends AudioNode {
  #buffer = null;

  constructor(context, options = {}) {
    const prefix = "Failed to construct 'ConvolverNode'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    const { handle } = contextArgument(context, prefix);
    options = converters.ConvolverOptions(options, prefix, "Argument 2");
    const nodeHandle = op_convolver_node_new(handle, options.disableNormalization);
    if (options.buffer !== undefined && options.buffer !== null) {
      setBuffer(nodeHandle, options.buffer);
    }
    super(nodeKey, context, nodeHandle);
    this.#buffer = options.buffer ?? null;
    applyNodeOptions(this, options);
  }

  get buffer() {
    webidl.assertBranded(this, ConvolverNodePrototype);
    return this.#buffer;
  }

  set buffer(value) {
    webidl.assertBranded(this, ConvolverNodePrototype);
    const prefix = "Failed to set the 'buffer' property on 'ConvolverNode'";
    value = converters["AudioBuffer?"](value, prefix, "Value");
    setBuffer(audioNodeHandle(this), value);
    this.#buffer = value;
  }

  get normalize() {
    webidl.assertBranded(this, ConvolverNodePrototype);
    return op_convolver_node_normalize(audioNodeHandle(this));
  }

  set normalize(value) {
    webidl.assertBranded(this, ConvolverNodePrototype);
    const prefix = "Failed to set the 'normalize' property on 'ConvolverNode'";
    value = converters.boolean(value, prefix, "Value");
    op_convolver_node_set_normalize(audioNodeHandle(this), value);
  }
}
webidl.configureInterface(ConvolverNode);
const ConvolverNodePrototype = ConvolverNode.prototype;
nodeClasses.ConvolverNode = ConvolverNode;

return { ConvolverNode };
})();
