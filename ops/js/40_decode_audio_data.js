// BaseAudioContext.decodeAudioData: the spec's algorithm on the control
// thread; the decoding itself runs off the JS thread in Rust.

(function () {
const { core, primordials } = __bootstrap;
const { op_base_audio_context_decode_audio_data } = core.ops;
const {
  ArrayBufferPrototypeGetByteLength,
  ArrayBufferPrototypeTransfer,
  DataView,
  DataViewPrototypeGetUint32,
  Float32Array,
  ObjectPrototypeIsPrototypeOf,
  ArrayBufferPrototype,
  Promise,
  PromisePrototypeThen,
  Uint8Array,
  PromiseReject,
  TypeError,
  TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetByteOffset,
} = primordials;
const { webidl } = core.loadExtScript("ext:webaudio/00_webidl_audio.js");
const { DOMException } = core.loadExtScript(
  "ext:deno_web/01_dom_exception.js",
);
const { reportException } = core.loadExtScript("ext:deno_web/02_event.js");
const { audioBufferInternals } = core.loadExtScript(
  "ext:webaudio/01_audio_buffer.js",
);
const { addPending, nodeClasses, queueTask } = core.loadExtScript(
  "ext:webaudio/12_base_audio_context.js",
);

const HEADER_BYTES = 16;
const prefix = "Failed to execute 'decodeAudioData' on 'BaseAudioContext'";

function isDetached(buffer) {
  try {
    ArrayBufferPrototypeGetByteLength(buffer);
    return buffer.detached === true;
  } catch {
    return true;
  }
}

function callbackArgument(value, position) {
  if (value === undefined || value === null) return null;
  if (typeof value !== "function") {
    throw new TypeError(`${prefix}: The callback provided as parameter ${position} is not a function.`);
  }
  return value;
}

function invoke(callback, argument) {
  if (callback === null) return;
  try {
    callback(argument);
  } catch (e) {
    reportException(e);
  }
}

/** Wraps the op's result (header + planar f32) as an AudioBuffer. */
function toAudioBuffer(bytes, sampleRate) {
  const buffer = TypedArrayPrototypeGetBuffer(bytes);
  const base = TypedArrayPrototypeGetByteOffset(bytes);
  const header = new DataView(buffer, base, HEADER_BYTES);
  const numberOfChannels = DataViewPrototypeGetUint32(header, 0, true);
  const length = DataViewPrototypeGetUint32(header, 4, true);
  const channels = [];
  for (let c = 0; c < numberOfChannels; c++) {
    const offset = base + HEADER_BYTES + c * length * 4;
    if (offset % 4 === 0) {
      channels[c] = new Float32Array(buffer, offset, length);
    } else {
      channels[c] = new Float32Array(new Float32Array(buffer.slice(offset, offset + length * 4)));
    }
  }
  return audioBufferInternals.fromChannels(sampleRate, channels);
}

function decodeAudioData(context, argc, audioData, successCallback, errorCallback) {
  // A promise-returning operation reports argument errors as rejections.
  try {
    webidl.requiredArguments(argc, 1, prefix);
    if (!ObjectPrototypeIsPrototypeOf(ArrayBufferPrototype, audioData)) {
      throw new TypeError(`${prefix}: parameter 1 is not of type 'ArrayBuffer'.`);
    }
    successCallback = callbackArgument(successCallback, 2);
    errorCallback = callbackArgument(errorCallback, 3);
  } catch (e) {
    return PromiseReject(e);
  }
  if (isDetached(audioData)) {
    const error = new DOMException(`${prefix}: Cannot decode detached ArrayBuffer`, "DataCloneError");
    queueTask(() => invoke(errorCallback, error));
    return PromiseReject(error);
  }
  // Detach the caller's buffer: the bytes now belong to the decoder.
  const bytes = new Uint8Array(ArrayBufferPrototypeTransfer(audioData));
  const sampleRate = context.sampleRate;
  addPending(context, 1);
  return PromisePrototypeThen(
    op_base_audio_context_decode_audio_data(bytes, sampleRate),
    (result) =>
      new Promise((resolve) =>
        queueTask(() => {
          addPending(context, -1);
          const buffer = toAudioBuffer(result, sampleRate);
          resolve(buffer);
          invoke(successCallback, buffer);
        })
      ),
    (error) =>
      new Promise((_, reject) =>
        queueTask(() => {
          addPending(context, -1);
          reject(error);
          invoke(errorCallback, error);
        })
      ),
  );
}

nodeClasses.decodeAudioData = decodeAudioData;

return { decodeAudioData };
})();
