// DynamicsCompressorNode.

(function () {
const { core } = __bootstrap;
const {
  op_dynamics_compressor_node_new,
  op_dynamics_compressor_node_reduction,
} = core.ops;
const { webidl, converters } = core.loadExtScript(
  "ext:webaudio/00_webidl_audio.js",
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

class DynamicsCompressorNode extends AudioNode {
  #threshold;
  #knee;
  #ratio;
  #attack;
  #release;

  constructor(context, options = {}) {
    const prefix = "Failed to construct 'DynamicsCompressorNode'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    const { handle } = contextArgument(context, prefix);
    options = converters.DynamicsCompressorOptions(options, prefix, "Argument 2");
    super(
      nodeKey,
      context,
      op_dynamics_compressor_node_new(
        handle,
        options.attack,
        options.knee,
        options.ratio,
        options.release,
        options.threshold,
      ),
    );
    applyNodeOptions(this, options);
  }

  get threshold() {
    webidl.assertBranded(this, DynamicsCompressorNodePrototype);
    return (this.#threshold ??= nodeParam(this, 0));
  }

  get knee() {
    webidl.assertBranded(this, DynamicsCompressorNodePrototype);
    return (this.#knee ??= nodeParam(this, 1));
  }

  get ratio() {
    webidl.assertBranded(this, DynamicsCompressorNodePrototype);
    return (this.#ratio ??= nodeParam(this, 2));
  }

  get attack() {
    webidl.assertBranded(this, DynamicsCompressorNodePrototype);
    return (this.#attack ??= nodeParam(this, 3));
  }

  get release() {
    webidl.assertBranded(this, DynamicsCompressorNodePrototype);
    return (this.#release ??= nodeParam(this, 4));
  }

  get reduction() {
    webidl.assertBranded(this, DynamicsCompressorNodePrototype);
    return op_dynamics_compressor_node_reduction(audioNodeHandle(this));
  }
}
webidl.configureInterface(DynamicsCompressorNode);
const DynamicsCompressorNodePrototype = DynamicsCompressorNode.prototype;
nodeClasses.DynamicsCompressorNode = DynamicsCompressorNode;

return { DynamicsCompressorNode };
})();
