// AudioBuffer: planar f32 audio owned by JS (one Float32Array per channel).
// The engine gets an immutable copy when a node acquires the content.

(function () {
const { core, primordials } = __bootstrap;
const { op_audio_buffer_check_size } = core.ops;
const {
  MathFround,
  RangeError,
  MathMax,
  MathMin,
  Symbol,
  SymbolFor,
  TypeError,
  TypedArrayPrototypeGetSymbolToStringTag,
  TypedArrayPrototypeSet,
  TypedArrayPrototypeSubarray,
  TypedArrayPrototypeGetBuffer,
  Float32Array,
} = primordials;
const { webidl, converters } = core.loadExtScript(
  "ext:webaudio/00_webidl_audio.js",
);
const { DOMException } = core.loadExtScript(
  "ext:deno_web/01_dom_exception.js",
);

/** The engine's MAX_CHANNELS. */
const MAX_CHANNELS = 32;
/** The sample-rate range browsers accept for buffers and contexts. */
const MIN_SAMPLE_RATE = 3000;
const MAX_SAMPLE_RATE = 768000;

const internal = Symbol("AudioBuffer.internal");

function throwNotSupported(prefix, message) {
  throw new DOMException(`${prefix}: ${message}`, "NotSupportedError");
}

/** Checks shared by `new AudioBuffer()` and `createBuffer()`, in Chrome's order. */
function validateBufferShape(prefix, numberOfChannels, length, sampleRate) {
  if (numberOfChannels === 0 || numberOfChannels > MAX_CHANNELS) {
    throwNotSupported(
      prefix,
      `The number of channels provided (${numberOfChannels}) is outside the range [1, ${MAX_CHANNELS}].`,
    );
  }
  if (length === 0) {
    throwNotSupported(prefix, "The number of frames provided (0) is less than or equal to the minimum bound (0).");
  }
  if (!(sampleRate >= MIN_SAMPLE_RATE && sampleRate <= MAX_SAMPLE_RATE)) {
    throwNotSupported(
      prefix,
      `The sample rate provided (${sampleRate}) is outside the range [${MIN_SAMPLE_RATE}, ${MAX_SAMPLE_RATE}].`,
    );
  }
}

function float32ArrayArgument(value, prefix, context) {
  if (
    typeof value !== "object" || value === null ||
    TypedArrayPrototypeGetSymbolToStringTag(value) !== "Float32Array"
  ) {
    throw new TypeError(`${prefix}: ${context} is not of type 'Float32Array'.`);
  }
  if (
    typeof SharedArrayBuffer === "function" &&
    TypedArrayPrototypeGetBuffer(value) instanceof SharedArrayBuffer
  ) {
    throw new TypeError(`${prefix}: ${context} is backed by a SharedArrayBuffer, which is not allowed.`);
  }
  return value;
}

class AudioBuffer {
  #sampleRate;
  #length;
  #channels;

  constructor(options) {
    const prefix = "Failed to construct 'AudioBuffer'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    options = converters.AudioBufferOptions(options, prefix, "Argument 1");
    validateBufferShape(
      prefix,
      options.numberOfChannels,
      options.length,
      options.sampleRate,
    );
    // CreateByteDataBlock: memory that cannot be had is a RangeError.
    op_audio_buffer_check_size(options.numberOfChannels, options.length);
    try {
      this.#init(options.numberOfChannels, options.length, options.sampleRate, null);
    } catch {
      throw new RangeError(`${prefix}: cannot allocate ${options.numberOfChannels} channels of ${options.length} frames.`);
    }
  }

  #init(numberOfChannels, length, sampleRate, channels) {
    this[webidl.brand] = webidl.brand;
    this.#sampleRate = MathFround(sampleRate);
    this.#length = length;
    if (channels === null) {
      channels = [];
      for (let i = 0; i < numberOfChannels; i++) {
        channels[i] = new Float32Array(length);
      }
    }
    this.#channels = channels;
  }

  get sampleRate() {
    return this.#sampleRate;
  }

  get length() {
    return this.#length;
  }

  get duration() {
    return this.#length / this.#sampleRate;
  }

  get numberOfChannels() {
    return this.#channels.length;
  }

  getChannelData(channel) {
    const prefix = "Failed to execute 'getChannelData' on 'AudioBuffer'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    channel = converters["unsigned long"](channel, prefix, "Argument 1");
    this.#checkChannel(prefix, channel, "channel index");
    return this.#channels[channel];
  }

  copyFromChannel(destination, channelNumber, bufferOffset = 0) {
    const prefix = "Failed to execute 'copyFromChannel' on 'AudioBuffer'";
    webidl.requiredArguments(arguments.length, 2, prefix);
    destination = float32ArrayArgument(destination, prefix, "parameter 1");
    channelNumber = converters["unsigned long"](channelNumber, prefix, "Argument 2");
    bufferOffset = converters["unsigned long"](bufferOffset, prefix, "Argument 3");
    this.#checkChannel(prefix, channelNumber, "channelNumber");
    const source = this.#channels[channelNumber];
    const count = MathMax(0, MathMin(this.#length - bufferOffset, destination.length));
    if (count > 0) {
      TypedArrayPrototypeSet(
        destination,
        TypedArrayPrototypeSubarray(source, bufferOffset, bufferOffset + count),
      );
    }
  }

  copyToChannel(source, channelNumber, bufferOffset = 0) {
    const prefix = "Failed to execute 'copyToChannel' on 'AudioBuffer'";
    webidl.requiredArguments(arguments.length, 2, prefix);
    source = float32ArrayArgument(source, prefix, "parameter 1");
    channelNumber = converters["unsigned long"](channelNumber, prefix, "Argument 2");
    bufferOffset = converters["unsigned long"](bufferOffset, prefix, "Argument 3");
    this.#checkChannel(prefix, channelNumber, "channelNumber");
    const target = this.#channels[channelNumber];
    const count = MathMax(0, MathMin(this.#length - bufferOffset, source.length));
    if (count > 0) {
      TypedArrayPrototypeSet(
        target,
        TypedArrayPrototypeSubarray(source, 0, count),
        bufferOffset,
      );
    }
  }

  #checkChannel(prefix, channel, what) {
    if (channel >= this.#channels.length) {
      throw new DOMException(
        `${prefix}: The ${what} provided (${channel}) is outside the range [0, ${this.#channels.length - 1}].`,
        "IndexSizeError",
      );
    }
  }

  static [internal] = {
    /** An AudioBuffer around existing channel arrays (decoding, rendering). */
    fromChannels(sampleRate, channels) {
      // A minimal valid buffer whose storage is then replaced.
      const b = new AudioBuffer({ length: 1, sampleRate: MIN_SAMPLE_RATE });
      b.#init(channels.length, channels[0]?.length ?? 0, sampleRate, channels);
      return b;
    },
    /** The channel arrays, for acquiring the content. */
    channels(buffer) {
      return buffer.#channels;
    },
  };

  [SymbolFor("Deno.privateCustomInspect")](inspect, options) {
    return `AudioBuffer ${inspect({
      length: this.length,
      duration: this.duration,
      sampleRate: this.sampleRate,
      numberOfChannels: this.numberOfChannels,
    }, options)}`;
  }
}

webidl.configureInterface(AudioBuffer);
const AudioBufferPrototype = AudioBuffer.prototype;

converters.AudioBuffer = webidl.createInterfaceConverter(
  "AudioBuffer",
  AudioBufferPrototype,
);
converters["AudioBuffer?"] = webidl.createNullableConverter(converters.AudioBuffer);

const audioBufferInternals = AudioBuffer[internal];
delete AudioBuffer[internal];

return {
  AudioBuffer,
  AudioBufferPrototype,
  audioBufferInternals,
  float32ArrayArgument,
  validateBufferShape,
  MAX_CHANNELS,
  MIN_SAMPLE_RATE,
  MAX_SAMPLE_RATE,
};
})();
