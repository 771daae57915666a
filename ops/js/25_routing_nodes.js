// StereoPannerNode, ChannelSplitterNode and ChannelMergerNode.

(function () {
const { core } = __bootstrap;
const {
  op_stereo_panner_node_new,
  op_channel_splitter_node_new,
  op_channel_merger_node_new,
} = core.ops;
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

class StereoPannerNode extends AudioNode {
  #pan;

  constructor(context, options = {}) {
    const prefix = "Failed to construct 'StereoPannerNode'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    const { handle } = contextArgument(context, prefix);
    options = converters.StereoPannerOptions(options, prefix, "Argument 2");
    super(nodeKey, context, op_stereo_panner_node_new(handle, options.pan));
    applyNodeOptions(this, options);
  }

  get pan() {
    return (this.#pan ??= nodeParam(this, 0));
  }
}
webidl.configureInterface(StereoPannerNode);
nodeClasses.StereoPannerNode = StereoPannerNode;

class ChannelSplitterNode extends AudioNode {
  constructor(context, options = {}) {
    const prefix = "Failed to construct 'ChannelSplitterNode'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    const { handle } = contextArgument(context, prefix);
    options = converters.ChannelSplitterOptions(options, prefix, "Argument 2");
    super(
      nodeKey,
      context,
      op_channel_splitter_node_new(handle, options.numberOfOutputs),
    );
    applyNodeOptions(this, options);
  }
}
webidl.configureInterface(ChannelSplitterNode);
nodeClasses.ChannelSplitterNode = ChannelSplitterNode;

class ChannelMergerNode extends AudioNode {
  constructor(context, options = {}) {
    const prefix = "Failed to construct 'ChannelMergerNode'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    const { handle } = contextArgument(context, prefix);
    options = converters.ChannelMergerOptions(options, prefix, "Argument 2");
    super(
      nodeKey,
      context,
      op_channel_merger_node_new(handle, options.numberOfInputs),
    );
    applyNodeOptions(this, options);
  }
}
webidl.configureInterface(ChannelMergerNode);
nodeClasses.ChannelMergerNode = ChannelMergerNode;

return { StereoPannerNode, ChannelSplitterNode, ChannelMergerNode };
})();
