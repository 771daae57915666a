// AudioBufferSourceNode.

(function () {
const { core } = __bootstrap;
const {
  op_audio_buffer_data_new,
  op_audio_buffer_data_copy_channel,
  op_audio_buffer_source_node_new,
  op_audio_buffer_source_node_set_buffer,
  op_audio_buffer_source_node_set_loop,
  op_audio_buffer_source_node_set_loop_start,
  op_audio_buffer_source_node_set_loop_end,
  op_audio_buffer_source_node_start,
} = core.ops;
const { webidl, converters } = core.loadExtScript(
  "ext:webaudio/00_webidl_audio.js",
);
const { audioBufferInternals } = core.loadExtScript(
  "ext:webaudio/01_audio_buffer.js",
);
const {
  AudioScheduledSourceNode,
  applyNodeOptions,
  audioNodeHandle,
  contextArgument,
  contextInternals,
  markSourceStarted,
  nodeKey,
  nodeParam,
} = core.loadExtScript("ext:webaudio/11_audio_node.js");
const { nodeClasses } = core.loadExtScript(
  "ext:webaudio/12_base_audio_context.js",
);

// Here rather than in 00_webidl_audio.js: it needs the AudioBuffer converter.
converters.AudioBufferSourceOptions = webidl.createDictionaryConverter(
  "AudioBufferSourceOptions",
  [
    { key: "buffer", converter: converters["AudioBuffer?"] },
    { key: "detune", converter: converters.float, defaultValue: 0 },
    { key: "loop", converter: converters.boolean, defaultValue: false },
    { key: "loopEnd", converter: converters.double, defaultValue: 0 },
    { key: "loopStart", converter: converters.double, defaultValue: 0 },
    { key: "playbackRate", converter: converters.float, defaultValue: 1 },
  ],
);

/**
 * "Acquire the content" of a JS AudioBuffer: stages a copy the engine owns,
 * which the next buffer-source op takes. Returns whether there was one.
 */
function acquire(buffer) {
  if (buffer === null || buffer === undefined) return false;
  const channels = audioBufferInternals.channels(buffer);
  op_audio_buffer_data_new(buffer.sampleRate, buffer.length, channels.length);
  for (let i = 0; i < channels.length; i++) {
    op_audio_buffer_data_copy_channel(channels[i]);
  }
  return true;
}

class AudioBufferSourceNode extends AudioScheduledSourceNode {
  #buffer = null;
  #started = false;
  #loop;
  #loopStart;
  #loopEnd;
  #playbackRate;
  #detune;

  constructor(context, options = {}) {
    const prefix = "Failed to construct 'AudioBufferSourceNode'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    const { handle } = contextArgument(context, prefix);
    options = converters.AudioBufferSourceOptions(options, prefix, "Argument 2");
    super(
      nodeKey,
      context,
      op_audio_buffer_source_node_new(
        handle,
        options.buffer !== undefined && options.buffer !== null,
        options.detune,
        options.loop,
        options.loopStart,
        options.loopEnd,
        options.playbackRate,
      ),
    );
    this.#buffer = options.buffer ?? null;
    this.#loop = options.loop;
    this.#loopStart = options.loopStart;
    this.#loopEnd = options.loopEnd;
  }

  get buffer() {
    return this.#buffer;
  }

  set buffer(value) {
    const prefix = "Failed to set the 'buffer' property on 'AudioBufferSourceNode'";
    value = converters["AudioBuffer?"](value, prefix, "The provided value");
    // The content is acquired now only if start() was already called;
    // otherwise start() acquires it.
    op_audio_buffer_source_node_set_buffer(
      audioNodeHandle(this),
      value !== null,
      this.#started && acquire(value),
    );
    this.#buffer = value;
  }

  get playbackRate() {
    return (this.#playbackRate ??= nodeParam(this, 0));
  }

  get detune() {
    return (this.#detune ??= nodeParam(this, 1));
  }

  get loop() {
    return this.#loop;
  }

  set loop(value) {
    const prefix = "Failed to set the 'loop' property on 'AudioBufferSourceNode'";
    value = converters.boolean(value, prefix, "The provided value");
    op_audio_buffer_source_node_set_loop(audioNodeHandle(this), value);
    this.#loop = value;
  }

  get loopStart() {
    return this.#loopStart;
  }

  set loopStart(value) {
    const prefix = "Failed to set the 'loopStart' property on 'AudioBufferSourceNode'";
    value = converters.double(value, prefix, "The provided value");
    op_audio_buffer_source_node_set_loop_start(audioNodeHandle(this), value);
    this.#loopStart = value;
  }

  get loopEnd() {
    return this.#loopEnd;
  }

  set loopEnd(value) {
    const prefix = "Failed to set the 'loopEnd' property on 'AudioBufferSourceNode'";
    value = converters.double(value, prefix, "The provided value");
    op_audio_buffer_source_node_set_loop_end(audioNodeHandle(this), value);
    this.#loopEnd = value;
  }

  start(when = 0, offset = 0, duration = undefined) {
    const prefix = "Failed to execute 'start' on 'AudioBufferSourceNode'";
    when = converters.double(when, prefix, "Argument 1");
    offset = converters.double(offset, prefix, "Argument 2");
    const hasDuration = duration !== undefined;
    duration = hasDuration ? converters.double(duration, prefix, "Argument 3") : 0;
    // The engine makes the spec's checks in the spec's order
    // (InvalidStateError, then RangeErrors for when, offset, duration).
    op_audio_buffer_source_node_start(
      audioNodeHandle(this),
      when,
      offset,
      duration,
      hasDuration,
      !this.#started && acquire(this.#buffer),
    );
    markSourceStarted(this, prefix, when);
    this.#started = true;
    contextInternals.get(this.context).sourceStarted(this);
  }
}
webidl.configureInterface(AudioBufferSourceNode);
nodeClasses.AudioBufferSourceNode = AudioBufferSourceNode;

return { AudioBufferSourceNode };
})();
