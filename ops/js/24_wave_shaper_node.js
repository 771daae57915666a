// WaveShaperNode.

(function () {
const { core, primordials } = __bootstrap;
const {
  op_wave_shaper_node_new,
  op_wave_shaper_node_set_curve,
  op_wave_shaper_node_clear_curve,
  op_wave_shaper_node_oversample,
  op_wave_shaper_node_set_oversample,
} = core.ops;
const { Float32Array } = primordials;
const { webidl, converters } = core.loadExtScript(
  "ext:webaudio/00_webidl_audio.js",
);
const { float32ArrayArgument } = core.loadExtScript(
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

const EMPTY = new Float32Array(0);

class WaveShaperNode extends AudioNode {
  /**
   * The node's internal copy of the curve (or null). The getter returns
   * this same array each time; the engine renders from its own copy, so
   * writing into it changes nothing, as writing into the array that was
   * assigned changes nothing.
   */
  #curve = null;

  constructor(context, options = {}) {
    const prefix = "Failed to construct 'WaveShaperNode'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    const { handle } = contextArgument(context, prefix);
    options = converters.WaveShaperOptions(options, prefix, "Argument 2");
    // `sequence<float>` converts to a fresh Float32Array.
    const curve = options.curve === undefined ? null : options.curve;
    super(
      nodeKey,
      context,
      op_wave_shaper_node_new(handle, curve !== null, curve ?? EMPTY, options.oversample),
    );
    this.#curve = curve;
    applyNodeOptions(this, options);
  }

  get curve() {
    webidl.assertBranded(this, WaveShaperNodePrototype);
    return this.#curve;
  }

  set curve(value) {
    webidl.assertBranded(this, WaveShaperNodePrototype);
    const prefix = "Failed to set the 'curve' property on 'WaveShaperNode'";
    if (value === null || value === undefined) {
      op_wave_shaper_node_clear_curve(audioNodeHandle(this));
      this.#curve = null;
      return;
    }
    value = float32ArrayArgument(value, prefix, "The provided value");
    const copy = new Float32Array(value);
    op_wave_shaper_node_set_curve(audioNodeHandle(this), copy);
    this.#curve = copy;
  }

  get oversample() {
    webidl.assertBranded(this, WaveShaperNodePrototype);
    return op_wave_shaper_node_oversample(audioNodeHandle(this));
  }

  set oversample(value) {
    webidl.assertBranded(this, WaveShaperNodePrototype);
    const prefix = "Failed to set the 'oversample' property on 'WaveShaperNode'";
    value = webidl.converters.DOMString(value, prefix, "The provided value");
    // WebIDL: an assignment of a string outside the enum is ignored.
    try {
      value = converters.OverSampleType(value, prefix, "The provided value");
    } catch {
      return;
    }
    op_wave_shaper_node_set_oversample(audioNodeHandle(this), value);
  }
}
webidl.configureInterface(WaveShaperNode);
const WaveShaperNodePrototype = WaveShaperNode.prototype;
nodeClasses.WaveShaperNode = WaveShaperNode;

return { WaveShaperNode };
})();
