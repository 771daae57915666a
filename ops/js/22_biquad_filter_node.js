// BiquadFilterNode.

(function () {
const { core, primordials } = __bootstrap;
const {
  op_biquad_filter_node_new,
  op_biquad_filter_node_type,
  op_biquad_filter_node_set_type,
  op_biquad_filter_node_get_frequency_response,
} = core.ops;
const {
  Float32Array,
  TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetLength,
  TypedArrayPrototypeSet,
} = primordials;
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
  nodeParam,
} = core.loadExtScript("ext:webaudio/11_audio_node.js");
const { nodeClasses } = core.loadExtScript(
  "ext:webaudio/12_base_audio_context.js",
);

/**
 * Calls `op(handle, frequencyHz, magResponse, phaseResponse)`. The op
 * borrows the three arrays at once, so arrays sharing memory go through
 * private copies.
 */
function frequencyResponse(op, handle, frequencyHz, magResponse, phaseResponse) {
  const f = TypedArrayPrototypeGetBuffer(frequencyHz);
  const m = TypedArrayPrototypeGetBuffer(magResponse);
  const p = TypedArrayPrototypeGetBuffer(phaseResponse);
  if (f !== m && f !== p && m !== p) {
    op(handle, frequencyHz, magResponse, phaseResponse);
    return;
  }
  const mag = new Float32Array(TypedArrayPrototypeGetLength(magResponse));
  const phase = new Float32Array(TypedArrayPrototypeGetLength(phaseResponse));
  op(handle, new Float32Array(frequencyHz), mag, phase);
  TypedArrayPrototypeSet(magResponse, mag);
  TypedArrayPrototypeSet(phaseResponse, phase);
}

class BiquadFilterNode extends AudioNode {
  #frequency;
  #detune;
  #q;
  #gain;

  constructor(context, options = {}) {
    const prefix = "Failed to construct 'BiquadFilterNode'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    const { handle } = contextArgument(context, prefix);
    options = converters.BiquadFilterOptions(options, prefix, "Argument 2");
    super(
      nodeKey,
      context,
      op_biquad_filter_node_new(
        handle,
        options.type,
        options.Q,
        options.detune,
        options.frequency,
        options.gain,
      ),
    );
    applyNodeOptions(this, options);
  }

  get type() {
    webidl.assertBranded(this, BiquadFilterNodePrototype);
    return op_biquad_filter_node_type(audioNodeHandle(this));
  }

  set type(value) {
    webidl.assertBranded(this, BiquadFilterNodePrototype);
    const prefix = "Failed to set the 'type' property on 'BiquadFilterNode'";
    value = webidl.converters.DOMString(value, prefix, "The provided value");
    // WebIDL: an assignment of a string outside the enum is ignored.
    try {
      value = converters.BiquadFilterType(value, prefix, "The provided value");
    } catch {
      return;
    }
    op_biquad_filter_node_set_type(audioNodeHandle(this), value);
  }

  get frequency() {
    return (this.#frequency ??= nodeParam(this, 0));
  }

  get detune() {
    return (this.#detune ??= nodeParam(this, 1));
  }

  get Q() {
    return (this.#q ??= nodeParam(this, 2));
  }

  get gain() {
    return (this.#gain ??= nodeParam(this, 3));
  }

  getFrequencyResponse(frequencyHz, magResponse, phaseResponse) {
    webidl.assertBranded(this, BiquadFilterNodePrototype);
    const prefix = "Failed to execute 'getFrequencyResponse' on 'BiquadFilterNode'";
    webidl.requiredArguments(arguments.length, 3, prefix);
    frequencyHz = float32ArrayArgument(frequencyHz, prefix, "Argument 1");
    magResponse = float32ArrayArgument(magResponse, prefix, "Argument 2");
    phaseResponse = float32ArrayArgument(phaseResponse, prefix, "Argument 3");
    frequencyResponse(
      op_biquad_filter_node_get_frequency_response,
      audioNodeHandle(this),
      frequencyHz,
      magResponse,
      phaseResponse,
    );
  }
}
webidl.configureInterface(BiquadFilterNode);
const BiquadFilterNodePrototype = BiquadFilterNode.prototype;
nodeClasses.BiquadFilterNode = BiquadFilterNode;

return { BiquadFilterNode, frequencyResponse };
})();
