// PannerNode.

(function () {
const { core, primordials } = __bootstrap;
const {
  op_panner_node_new,
  op_panner_node_panning_model,
  op_panner_node_set_panning_model,
  op_panner_node_distance_model,
  op_panner_node_set_distance_model,
  op_panner_node_attribute,
  op_panner_node_set_attribute,
} = core.ops;
const { Float64Array } = primordials;
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

const PANNING_MODELS = ["equalpower", "HRTF"];
const DISTANCE_MODELS = ["linear", "inverse", "exponential"];

class PannerNode extends AudioNode {
  #params;

  constructor(context, options = {}) {
    const prefix = "Failed to construct 'PannerNode'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    const { handle } = contextArgument(context, prefix);
    options = converters.PannerOptions(options, prefix, "Argument 2");
    const numbers = new Float64Array([
      options.positionX,
      options.positionY,
      options.positionZ,
      options.orientationX,
      options.orientationY,
      options.orientationZ,
      options.refDistance,
      options.maxDistance,
      options.rolloffFactor,
      options.coneInnerAngle,
      options.coneOuterAngle,
      options.coneOuterGain,
    ]);
    super(
      nodeKey,
      context,
      op_panner_node_new(
        handle,
        options.panningModel,
        options.distanceModel,
        numbers,
      ),
    );
    applyNodeOptions(this, options);
    this.#params = [];
  }

  #param(i) {
    webidl.assertBranded(this, PannerNodePrototype);
    return (this.#params[i] ??= nodeParam(this, i));
  }

  get positionX() {
    return this.#param(0);
  }
  get positionY() {
    return this.#param(1);
  }
  get positionZ() {
    return this.#param(2);
  }
  get orientationX() {
    return this.#param(3);
  }
  get orientationY() {
    return this.#param(4);
  }
  get orientationZ() {
    return this.#param(5);
  }

  get panningModel() {
    webidl.assertBranded(this, PannerNodePrototype);
    return op_panner_node_panning_model(audioNodeHandle(this));
  }

  set panningModel(value) {
    webidl.assertBranded(this, PannerNodePrototype);
    value = webidl.converters.DOMString(value);
    // WebIDL: an invalid enum value assigned to an attribute is ignored.
    if (!PANNING_MODELS.includes(value)) return;
    op_panner_node_set_panning_model(audioNodeHandle(this), value);
  }

  get distanceModel() {
    webidl.assertBranded(this, PannerNodePrototype);
    return op_panner_node_distance_model(audioNodeHandle(this));
  }

  set distanceModel(value) {
    webidl.assertBranded(this, PannerNodePrototype);
    value = webidl.converters.DOMString(value);
    if (!DISTANCE_MODELS.includes(value)) return;
    op_panner_node_set_distance_model(audioNodeHandle(this), value);
  }

  setPosition(x, y, z) {
    webidl.assertBranded(this, PannerNodePrototype);
    const prefix = "Failed to execute 'setPosition' on 'PannerNode'";
    webidl.requiredArguments(arguments.length, 3, prefix);
    x = converters.float(x, prefix, "Argument 1");
    y = converters.float(y, prefix, "Argument 2");
    z = converters.float(z, prefix, "Argument 3");
    this.#param(0).value = x;
    this.#param(1).value = y;
    this.#param(2).value = z;
  }

  setOrientation(x, y, z) {
    webidl.assertBranded(this, PannerNodePrototype);
    const prefix = "Failed to execute 'setOrientation' on 'PannerNode'";
    webidl.requiredArguments(arguments.length, 3, prefix);
    x = converters.float(x, prefix, "Argument 1");
    y = converters.float(y, prefix, "Argument 2");
    z = converters.float(z, prefix, "Argument 3");
    this.#param(3).value = x;
    this.#param(4).value = y;
    this.#param(5).value = z;
  }
}

// The six double attributes, by op index.
const DOUBLE_ATTRIBUTES = [
  "refDistance",
  "maxDistance",
  "rolloffFactor",
  "coneInnerAngle",
  "coneOuterAngle",
  "coneOuterGain",
];
const PannerNodePrototype = PannerNode.prototype;
DOUBLE_ATTRIBUTES.forEach((name, index) => {
  Object.defineProperty(PannerNodePrototype, name, {
    get() {
      webidl.assertBranded(this, PannerNodePrototype);
      return op_panner_node_attribute(audioNodeHandle(this), index);
    },
    set(value) {
      webidl.assertBranded(this, PannerNodePrototype);
      const prefix = `Failed to set the '${name}' property on 'PannerNode'`;
      value = converters.double(value, prefix, "Value");
      op_panner_node_set_attribute(audioNodeHandle(this), index, value);
    },
    enumerable: true,
    configurable: true,
  });
});
webidl.configureInterface(PannerNode);
nodeClasses.PannerNode = PannerNode;

return { PannerNode };
})();
