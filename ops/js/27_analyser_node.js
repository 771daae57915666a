// AnalyserNode.

(function () {
const { core, primordials } = __bootstrap;
const {
  op_analyser_node_new,
  op_analyser_node_fft_size,
  op_analyser_node_set_fft_size,
  op_analyser_node_frequency_bin_count,
  op_analyser_node_min_decibels,
  op_analyser_node_set_min_decibels,
  op_analyser_node_max_decibels,
  op_analyser_node_set_max_decibels,
  op_analyser_node_smoothing_time_constant,
  op_analyser_node_set_smoothing_time_constant,
  op_analyser_node_get_float_frequency_data,
  op_analyser_node_get_byte_frequency_data,
  op_analyser_node_get_float_time_domain_data,
  op_analyser_node_get_byte_time_domain_data,
} = core.ops;
const { TypedArrayPrototypeGetSymbolToStringTag, TypeError } = primordials;
const { webidl, converters } = core.loadExtScript(
  "ext:webaudio/00_webidl_audio.js",
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

// `[AllowShared] Float32Array` / `[AllowShared] Uint8Array`.
function typedArrayArgument(value, type, prefix) {
  if (
    typeof value !== "object" || value === null ||
    TypedArrayPrototypeGetSymbolToStringTag(value) !== type
  ) {
    throw new TypeError(`${prefix}: parameter 1 is not of type '${type}'.`);
  }
  return value;
}

class AnalyserNode extends AudioNode {
  constructor(context, options = {}) {
    const prefix = "Failed to construct 'AnalyserNode'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    const { handle } = contextArgument(context, prefix);
    options = converters.AnalyserOptions(options, prefix, "Argument 2");
    super(
      nodeKey,
      context,
      op_analyser_node_new(
        handle,
        options.fftSize,
        options.maxDecibels,
        options.minDecibels,
        options.smoothingTimeConstant,
      ),
    );
    applyNodeOptions(this, options);
  }

  get fftSize() {
    webidl.assertBranded(this, AnalyserNodePrototype);
    return op_analyser_node_fft_size(audioNodeHandle(this));
  }

  set fftSize(value) {
    webidl.assertBranded(this, AnalyserNodePrototype);
    const prefix = "Failed to set the 'fftSize' property on 'AnalyserNode'";
    value = converters["unsigned long"](value, prefix, "Value");
    op_analyser_node_set_fft_size(audioNodeHandle(this), value);
  }

  get frequencyBinCount() {
    webidl.assertBranded(this, AnalyserNodePrototype);
    return op_analyser_node_frequency_bin_count(audioNodeHandle(this));
  }

  get minDecibels() {
    webidl.assertBranded(this, AnalyserNodePrototype);
    return op_analyser_node_min_decibels(audioNodeHandle(this));
  }

  set minDecibels(value) {
    webidl.assertBranded(this, AnalyserNodePrototype);
    const prefix = "Failed to set the 'minDecibels' property on 'AnalyserNode'";
    value = converters.double(value, prefix, "Value");
    op_analyser_node_set_min_decibels(audioNodeHandle(this), value);
  }

  get maxDecibels() {
    webidl.assertBranded(this, AnalyserNodePrototype);
    return op_analyser_node_max_decibels(audioNodeHandle(this));
  }

  set maxDecibels(value) {
    webidl.assertBranded(this, AnalyserNodePrototype);
    const prefix = "Failed to set the 'maxDecibels' property on 'AnalyserNode'";
    value = converters.double(value, prefix, "Value");
    op_analyser_node_set_max_decibels(audioNodeHandle(this), value);
  }

  get smoothingTimeConstant() {
    webidl.assertBranded(this, AnalyserNodePrototype);
    return op_analyser_node_smoothing_time_constant(audioNodeHandle(this));
  }

  set smoothingTimeConstant(value) {
    webidl.assertBranded(this, AnalyserNodePrototype);
    const prefix =
      "Failed to set the 'smoothingTimeConstant' property on 'AnalyserNode'";
    value = converters.double(value, prefix, "Value");
    op_analyser_node_set_smoothing_time_constant(audioNodeHandle(this), value);
  }

  getFloatFrequencyData(array) {
    webidl.assertBranded(this, AnalyserNodePrototype);
    const prefix = "Failed to execute 'getFloatFrequencyData' on 'AnalyserNode'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    array = typedArrayArgument(array, "Float32Array", prefix);
    op_analyser_node_get_float_frequency_data(audioNodeHandle(this), array);
  }

  getByteFrequencyData(array) {
    webidl.assertBranded(this, AnalyserNodePrototype);
    const prefix = "Failed to execute 'getByteFrequencyData' on 'AnalyserNode'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    array = typedArrayArgument(array, "Uint8Array", prefix);
    op_analyser_node_get_byte_frequency_data(audioNodeHandle(this), array);
  }

  getFloatTimeDomainData(array) {
    webidl.assertBranded(this, AnalyserNodePrototype);
    const prefix = "Failed to execute 'getFloatTimeDomainData' on 'AnalyserNode'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    array = typedArrayArgument(array, "Float32Array", prefix);
    op_analyser_node_get_float_time_domain_data(audioNodeHandle(this), array);
  }

  getByteTimeDomainData(array) {
    webidl.assertBranded(this, AnalyserNodePrototype);
    const prefix = "Failed to execute 'getByteTimeDomainData' on 'AnalyserNode'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    array = typedArrayArgument(array, "Uint8Array", prefix);
    op_analyser_node_get_byte_time_domain_data(audioNodeHandle(this), array);
  }
}
webidl.configureInterface(AnalyserNode);
const AnalyserNodePrototype = AnalyserNode.prototype;
nodeClasses.AnalyserNode = AnalyserNode;

return { AnalyserNode };
})();
