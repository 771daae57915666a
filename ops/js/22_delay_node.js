// DelayNode.

(function () {
const { core } = __bootstrap;
const { op_delay_node_new } = core.ops;
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

class DelayNode extends AudioNode {
  #delayTime;

  constructor(context, options = {}) {
    const prefix = "Failed to construct 'DelayNode'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    const { handle } = contextArgument(context, prefix);
    options = converters.DelayOptions(options, prefix, "Argument 2");
    super(
      nodeKey,
      context,
      op_delay_node_new(handle, options.maxDelayTime, options.delayTime),
    );
    applyNodeOptions(this, options);
  }

  get delayTime() {
    return (this.#delayTime ??= nodeParam(this, 0));
  }
}
webidl.configureInterface(DelayNode);
nodeClasses.DelayNode = DelayNode;

return { DelayNode };
})();
