// ConstantSourceNode.

(function () {
const { core } = __bootstrap;
const { op_constant_source_node_new } = core.ops;
const { webidl, converters } = core.loadExtScript(
  "ext:webaudio/00_webidl_audio.js",
);
const {
  AudioScheduledSourceNode,
  contextArgument,
  nodeKey,
  nodeParam,
} = core.loadExtScript("ext:webaudio/11_audio_node.js");
const { nodeClasses } = core.loadExtScript(
  "ext:webaudio/12_base_audio_context.js",
);

class ConstantSourceNode extends AudioScheduledSourceNode {
  #offset;

  constructor(context, options = {}) {
    const prefix = "Failed to construct 'ConstantSourceNode'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    const { handle } = contextArgument(context, prefix);
    options = converters.ConstantSourceOptions(options, prefix, "Argument 2");
    super(nodeKey, context, op_constant_source_node_new(handle, options.offset));
  }

  get offset() {
    return (this.#offset ??= nodeParam(this, 0));
  }
}
webidl.configureInterface(ConstantSourceNode);
nodeClasses.ConstantSourceNode = ConstantSourceNode;

return { ConstantSourceNode };
})();
