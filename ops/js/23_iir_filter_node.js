// IIRFilterNode.

(function () {
const { core, primordials } = __bootstrap;
const {
  op_iir_filter_node_new,
  op_iir_filter_node_get_frequency_response,
} = core.ops;
const { Float64Array } = primordials;
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
const { frequencyResponse } = core.loadExtScript(
  "ext:webaudio/22_biquad_filter_node.js",
);

class IIRFilterNode extends AudioNode {
  constructor(context, options) {
    const prefix = "Failed to construct 'IIRFilterNode'";
    webidl.requiredArguments(arguments.length, 2, prefix);
    const { handle } = contextArgument(context, prefix);
    options = converters.IIRFilterOptions(options, prefix, "Argument 2");
    // The engine checks lengths (NotSupportedError) and values
    // (InvalidStateError) in the spec's order.
    super(
      nodeKey,
      context,
      op_iir_filter_node_new(
        handle,
        new Float64Array(options.feedforward),
        new Float64Array(options.feedback),
      ),
    );
    applyNodeOptions(this, options);
  }

  getFrequencyResponse(frequencyHz, magResponse, phaseResponse) {
    webidl.assertBranded(this, IIRFilterNodePrototype);
    const prefix = "Failed to execute 'getFrequencyResponse' on 'IIRFilterNode'";
    webidl.requiredArguments(arguments.length, 3, prefix);
    frequencyHz = float32ArrayArgument(frequencyHz, prefix, "Argument 1");
    magResponse = float32ArrayArgument(magResponse, prefix, "Argument 2");
    phaseResponse = float32ArrayArgument(phaseResponse, prefix, "Argument 3");
    frequencyResponse(
      op_iir_filter_node_get_frequency_response,
      audioNodeHandle(this),
      frequencyHz,
      magResponse,
      phaseResponse,
    );
  }
}
webidl.configureInterface(IIRFilterNode);
const IIRFilterNodePrototype = IIRFilterNode.prototype;
nodeClasses.IIRFilterNode = IIRFilterNode;

return { IIRFilterNode };
})();
