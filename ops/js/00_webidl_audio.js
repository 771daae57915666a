// WebIDL enums and dictionaries of the Web Audio API, as converters
// (deno_webidl). Table-driven: one entry per IDL member, defaults from the
// spec's IDL.

(function () {
const { core, primordials } = __bootstrap;
const {
  ArrayIsArray,
  ArrayIteratorPrototype,
  ArrayPrototype,
  Float32Array,
  FunctionPrototypeCall,
  MathFround,
  NumberIsFinite,
  ObjectGetPrototypeOf,
  SymbolIterator,
  TypeError,
  TypedArrayPrototype,
  TypedArrayPrototypeGetSymbolToStringTag,
  TypedArrayPrototypeIncludes,
  TypedArrayPrototypeSlice,
} = primordials;
const webidl = core.loadExtScript("ext:deno_webidl/00_webidl.js");
const { converters, createDictionaryConverter, createEnumConverter } = webidl;

const enums = {
  AudioContextState: ["suspended", "running", "closed", "interrupted"],
  AudioContextLatencyCategory: ["balanced", "interactive", "playback"],
  AudioContextRenderSizeCategory: ["default", "hardware"],
  AudioSinkType: ["none"],
  ChannelCountMode: ["max", "clamped-max", "explicit"],
  ChannelInterpretation: ["speakers", "discrete"],
  AutomationRate: ["a-rate", "k-rate"],
  BiquadFilterType: [
    "lowpass",
    "highpass",
    "bandpass",
    "lowshelf",
    "highshelf",
    "peaking",
    "notch",
    "allpass",
  ],
  OscillatorType: ["sine", "square", "sawtooth", "triangle", "custom"],
  PanningModelType: ["equalpower", "HRTF"],
  DistanceModelType: ["linear", "inverse", "exponential"],
  OverSampleType: ["none", "2x", "4x"],
};
for (const name in enums) {
  converters[name] = createEnumConverter(name, enums[name]);
}

const member = (key, converter, defaultValue) =>
  defaultValue === undefined
    ? { key, converter }
    : { key, converter, defaultValue };
const required = (key, converter) => ({ key, converter, required: true });

const ulong = converters["unsigned long"];
const float = converters.float;
const double = converters.double;

converters.AudioSinkOptions = createDictionaryConverter("AudioSinkOptions", [
  required("type", converters.AudioSinkType),
]);

// (AudioContextLatencyCategory or double)
converters.LatencyHint = (v, prefix, context) =>
  typeof v === "number" || (typeof v === "object" && v !== null)
    ? double(v, prefix, context)
    : converters.AudioContextLatencyCategory(v, prefix, context);

// (DOMString or AudioSinkOptions)
converters.SinkId = (v, prefix, context) =>
  typeof v === "object" && v !== null
    ? converters.AudioSinkOptions(v, prefix, context)
    : converters.DOMString(v, prefix, context);

// (AudioContextRenderSizeCategory or unsigned long)
converters.RenderSizeHint = (v, prefix, context) =>
  typeof v === "number"
    ? ulong(v, prefix, context)
    : converters.AudioContextRenderSizeCategory(v, prefix, context);

converters.AudioContextOptions = createDictionaryConverter(
  "AudioContextOptions",
  [
    member("latencyHint", converters.LatencyHint, "interactive"),
    member("sampleRate", float),
    member("sinkId", converters.SinkId),
    member("renderSizeHint", converters.RenderSizeHint, "default"),
  ],
);

converters.OfflineAudioContextOptions = createDictionaryConverter(
  "OfflineAudioContextOptions",
  [
    member("numberOfChannels", ulong, 1),
    required("length", ulong),
    required("sampleRate", float),
    member("renderSizeHint", converters.RenderSizeHint, "default"),
  ],
);

converters.AudioBufferOptions = createDictionaryConverter(
  "AudioBufferOptions",
  [
    member("numberOfChannels", ulong, 1),
    required("length", ulong),
    required("sampleRate", float),
  ],
);

const audioNodeOptions = [
  member("channelCount", ulong),
  member("channelCountMode", converters.ChannelCountMode),
  member("channelInterpretation", converters.ChannelInterpretation),
];
converters.AudioNodeOptions = createDictionaryConverter(
  "AudioNodeOptions",
  audioNodeOptions,
);

converters.GainOptions = createDictionaryConverter(
  "GainOptions",
  audioNodeOptions,
  [member("gain", float, 1)],
);

converters.ConstantSourceOptions = createDictionaryConverter(
  "ConstantSourceOptions",
  [member("offset", float, 1)],
);

converters.DelayOptions = createDictionaryConverter(
  "DelayOptions",
  audioNodeOptions,
  [member("maxDelayTime", double, 1), member("delayTime", double, 0)],
);

converters.StereoPannerOptions = createDictionaryConverter(
  "StereoPannerOptions",
  audioNodeOptions,
  [member("pan", float, 0)],
);

converters.ChannelMergerOptions = createDictionaryConverter(
  "ChannelMergerOptions",
  audioNodeOptions,
  [member("numberOfInputs", ulong, 6)],
);

converters.ChannelSplitterOptions = createDictionaryConverter(
  "ChannelSplitterOptions",
  audioNodeOptions,
  [member("numberOfOutputs", ulong, 6)],
);

converters.BiquadFilterOptions = createDictionaryConverter(
  "BiquadFilterOptions",
  audioNodeOptions,
  [
    member("type", converters.BiquadFilterType, "lowpass"),
    member("Q", float, 1),
    member("detune", float, 0),
    member("frequency", float, 350),
    member("gain", float, 0),
  ],
);

// The built-in iteration of arrays and typed arrays (as this script found
// it): when a value still uses it, it can be read directly.
const arrayValues = ArrayPrototype[SymbolIterator];
const typedArrayValues = TypedArrayPrototype[SymbolIterator];
const arrayIteratorNext = ArrayIteratorPrototype.next;

/**
 * WebIDL `float` of an element, with deno_webidl's messages (the context
 * names the element's index).
 */
function floatAt(v, prefix, context, index) {
  if (typeof v === "bigint") {
    throw new TypeError("Cannot convert a BigInt value to a number");
  }
  const x = +v;
  const where = `${prefix}: ${context}, index ${index}`;
  if (!NumberIsFinite(x)) {
    throw new TypeError(`${where} is not a finite floating-point value`);
  }
  const f = MathFround(x);
  if (!NumberIsFinite(f)) {
    throw new TypeError(
      `${where} is outside the range of a single-precision floating-point value`,
    );
  }
  return f;
}

/**
 * `sequence<float>`, as a new Float32Array. A Float32Array iterated the
 * built-in way crosses in one native copy (non-finite elements, which
 * WebIDL refuses, are looked for natively too); a plain array is read by
 * index in one pass; anything else goes through its iterator, element by
 * element. O(n) in every case, with the spec's exceptions.
 */
function floatSequence(V, prefix, context) {
  if (typeof V !== "object" || V === null) {
    if (typeof V !== "function") {
      throw new TypeError(`${prefix}: ${context} can not be converted to sequence.`);
    }
  }
  const builtinNext = ArrayIteratorPrototype.next === arrayIteratorNext;
  if (
    builtinNext &&
    TypedArrayPrototypeGetSymbolToStringTag(V) === "Float32Array" &&
    V[SymbolIterator] === typedArrayValues &&
    !TypedArrayPrototypeIncludes(V, NaN) &&
    !TypedArrayPrototypeIncludes(V, Infinity) &&
    !TypedArrayPrototypeIncludes(V, -Infinity)
  ) {
    return TypedArrayPrototypeSlice(V);
  }
  const values = [];
  if (builtinNext && ArrayIsArray(V) && V[SymbolIterator] === arrayValues) {
    // What the array iterator does: re-read the length at every step.
    for (let i = 0; i < V.length; i++) {
      values[i] = floatAt(V[i], prefix, context, i);
    }
    return new Float32Array(values);
  }
  const method = V[SymbolIterator];
  if (typeof method !== "function") {
    throw new TypeError(`${prefix}: ${context} can not be converted to sequence.`);
  }
  const iter = FunctionPrototypeCall(method, V);
  if (typeof iter !== "object" || iter === null) {
    throw new TypeError(`${prefix}: ${context} can not be converted to sequence.`);
  }
  const next = iter.next;
  while (true) {
    const res = FunctionPrototypeCall(next, iter);
    if (typeof res !== "object" || res === null) {
      throw new TypeError(`${prefix}: ${context} can not be converted to sequence.`);
    }
    if (res.done) break;
    values[values.length] = floatAt(res.value, prefix, context, values.length);
  }
  return new Float32Array(values);
}
converters["sequence<float>"] = floatSequence;
converters["sequence<double>"] = webidl.createSequenceConverter(double);

converters.WaveShaperOptions = createDictionaryConverter(
  "WaveShaperOptions",
  audioNodeOptions,
  [
    member("curve", converters["sequence<float>"]),
    member("oversample", converters.OverSampleType, "none"),
  ],
);

converters.IIRFilterOptions = createDictionaryConverter(
  "IIRFilterOptions",
  audioNodeOptions,
  [
    required("feedforward", converters["sequence<double>"]),
    required("feedback", converters["sequence<double>"]),
  ],
);

converters.PeriodicWaveConstraints = createDictionaryConverter(
  "PeriodicWaveConstraints",
  [member("disableNormalization", converters.boolean, false)],
);

converters.PeriodicWaveOptions = createDictionaryConverter(
  "PeriodicWaveOptions",
  [
    member("disableNormalization", converters.boolean, false),
    member("real", converters["sequence<float>"]),
    member("imag", converters["sequence<float>"]),
  ],
);

converters.AnalyserOptions = createDictionaryConverter(
  "AnalyserOptions",
  audioNodeOptions,
  [
    member("fftSize", ulong, 2048),
    member("maxDecibels", double, -30),
    member("minDecibels", double, -100),
    member("smoothingTimeConstant", double, 0.8),
  ],
);

converters.DynamicsCompressorOptions = createDictionaryConverter(
  "DynamicsCompressorOptions",
  audioNodeOptions,
  [
    member("attack", float, 0.003),
    member("knee", float, 30),
    member("ratio", float, 12),
    member("release", float, 0.25),
    member("threshold", float, -24),
  ],
);

converters.PannerOptions = createDictionaryConverter(
  "PannerOptions",
  audioNodeOptions,
  [
    member("panningModel", converters.PanningModelType, "equalpower"),
    member("distanceModel", converters.DistanceModelType, "inverse"),
    member("positionX", float, 0),
    member("positionY", float, 0),
    member("positionZ", float, 0),
    member("orientationX", float, 1),
    member("orientationY", float, 0),
    member("orientationZ", float, 0),
    member("refDistance", double, 1),
    member("maxDistance", double, 10000),
    member("rolloffFactor", double, 1),
    member("coneInnerAngle", double, 360),
    member("coneOuterAngle", double, 360),
    member("coneOuterGain", double, 0),
  ],
);

return { webidl, converters };
})();
