// PeriodicWave and OscillatorNode.

(function () {
const { core, primordials } = __bootstrap;
const {
  op_periodic_wave_new,
  op_oscillator_node_new,
  op_oscillator_node_type,
  op_oscillator_node_set_type,
  op_oscillator_node_set_periodic_wave,
} = core.ops;
const { Float32Array } = primordials;
const { webidl, converters } = core.loadExtScript(
  "ext:webaudio/00_webidl_audio.js",
);
const {
  AudioScheduledSourceNode,
  applyNodeOptions,
  audioNodeHandle,
  contextArgument,
  nodeKey,
  nodeParam,
} = core.loadExtScript("ext:webaudio/11_audio_node.js");
const { nodeClasses } = core.loadExtScript(
  "ext:webaudio/12_base_audio_context.js",
);
const { trackHandle } = core.loadExtScript("ext:webaudio/02_handles.js");

const EMPTY = new Float32Array(0);

class PeriodicWave {
  #handle;

  constructor(context, options = {}) {
    const prefix = "Failed to construct 'PeriodicWave'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    contextArgument(context, prefix);
    options = converters.PeriodicWaveOptions(options, prefix, "Argument 2");
    const { real, imag } = options;
    // `sequence<float>` converts to a fresh Float32Array: no second copy.
    this.#handle = trackHandle(
      this,
      op_periodic_wave_new(
        real === undefined ? EMPTY : real,
        imag === undefined ? EMPTY : imag,
        real !== undefined,
        imag !== undefined,
        options.disableNormalization,
      ),
    );
    this[webidl.brand] = webidl.brand;
  }

  static handleOf(wave) {
    return wave.#handle;
  }
}
const periodicWaveHandle = PeriodicWave.handleOf;
delete PeriodicWave.handleOf;
webidl.configureInterface(PeriodicWave);
converters.PeriodicWave = webidl.createInterfaceConverter(
  "PeriodicWave",
  PeriodicWave.prototype,
);
nodeClasses.PeriodicWave = PeriodicWave;

// Here rather than in 00_webidl_audio.js: it needs the PeriodicWave converter.
converters.OscillatorOptions = webidl.createDictionaryConverter(
  "OscillatorOptions",
  [
    { key: "channelCount", converter: converters["unsigned long"] },
    { key: "channelCountMode", converter: converters.ChannelCountMode },
    { key: "channelInterpretation", converter: converters.ChannelInterpretation },
  ],
  [
    { key: "type", converter: converters.OscillatorType, defaultValue: "sine" },
    { key: "frequency", converter: converters.float, defaultValue: 440 },
    { key: "detune", converter: converters.float, defaultValue: 0 },
    { key: "periodicWave", converter: converters.PeriodicWave },
  ],
);

class OscillatorNode extends AudioScheduledSourceNode {
  #frequency;
  #detune;

  constructor(context, options = {}) {
    const prefix = "Failed to construct 'OscillatorNode'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    const { handle } = contextArgument(context, prefix);
    options = converters.OscillatorOptions(options, prefix, "Argument 2");
    const hasWave = options.periodicWave !== undefined;
    const wave = hasWave ? periodicWaveHandle(options.periodicWave) : 0;
    super(
      nodeKey,
      context,
      op_oscillator_node_new(
        handle,
        options.type,
        options.frequency,
        options.detune,
        hasWave,
        wave,
      ),
    );
    applyNodeOptions(this, options);
  }

  get frequency() {
    return (this.#frequency ??= nodeParam(this, 0));
  }

  get detune() {
    return (this.#detune ??= nodeParam(this, 1));
  }

  get type() {
    return op_oscillator_node_type(audioNodeHandle(this));
  }

  set type(value) {
    const prefix = "Failed to set the 'type' property on 'OscillatorNode'";
    try {
      value = converters.OscillatorType(value, prefix, "The provided value");
    } catch {
      return; // an invalid enum value assigned to an attribute is ignored
    }
    op_oscillator_node_set_type(audioNodeHandle(this), value);
  }

  setPeriodicWave(periodicWave) {
    const prefix = "Failed to execute 'setPeriodicWave' on 'OscillatorNode'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    periodicWave = converters.PeriodicWave(periodicWave, prefix, "Argument 1");
    op_oscillator_node_set_periodic_wave(
      audioNodeHandle(this),
      periodicWaveHandle(periodicWave),
    );
  }
}
webidl.configureInterface(OscillatorNode);
nodeClasses.OscillatorNode = OscillatorNode;

return { OscillatorNode, PeriodicWave };
})();
