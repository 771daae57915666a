// GainNode.

(function () {
const { core } = __bootstrap;
const { op_gain_node_new } = core.ops;
const { webidl, converters } = core.loadExtScript(
  "ext:webaudio/00_webidl_audio.js",
);
const {
  AudioNode,
  applyNodeOptions,
  contextArgument,
  nodeKey,
  nodeParam,
} = core.loadExtScript("ext:webaudio/11_audio_node.js");
const { nodeClasses } = core.loadExtScript(
  "ext:webaudio/12_base_audio_context.js",
);

class GainNode extends AudioNode {
  #gain;

  constructor(context, options = {}) {
    const prefix = "Failed to construct 'GainNode'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    const { handle } = contextArgument(context, prefix);
    options = converters.GainOptions(options, prefix, "Argument 2");
    super(nodeKey, context, op_gain_node_new(handle, options.gain));
    applyNodeOptions(this, options);
  }

  get gain() {
    return (this.#gain ??= nodeParam(this, 0));
  }
}
webidl.configureInterface(GainNode);
nodeClasses.GainNode = GainNode;

return { GainNode };
})();
