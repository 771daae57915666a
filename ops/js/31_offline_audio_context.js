// OfflineAudioContext: renders as fast as the CPU allows into an AudioBuffer.

(function () {
const { core, primordials } = __bootstrap;
const {
  op_offline_audio_context_new,
  op_offline_audio_context_start_rendering,
  op_offline_audio_context_suspend,
  op_offline_audio_context_resume,
  op_offline_audio_context_copy_rendered,
} = core.ops;
const {
  Float32Array,
  MapPrototypeDelete,
  MapPrototypeGet,
  MapPrototypeSet,
  PromiseReject,
  RangeError,
  SafeMap,
  TypeError,
} = primordials;
const { webidl, converters } = core.loadExtScript(
  "ext:webaudio/00_webidl_audio.js",
);
const { DOMException } = core.loadExtScript(
  "ext:deno_web/01_dom_exception.js",
);
const { Event, defineEventHandler } = core.loadExtScript(
  "ext:deno_web/02_event.js",
);
const { audioBufferInternals, MAX_CHANNELS, MIN_SAMPLE_RATE, MAX_SAMPLE_RATE } =
  core.loadExtScript("ext:webaudio/01_audio_buffer.js");
const {
  BaseAudioContext,
  addPending,
  contextHandleOf,
  contextKey,
  deferred,
  queueTask,
  setContextState,
} = core.loadExtScript("ext:webaudio/12_base_audio_context.js");

class OfflineAudioCompletionEvent extends Event {
  #renderedBuffer;

  constructor(type, eventInitDict) {
    const prefix = "Failed to construct 'OfflineAudioCompletionEvent'";
    webidl.requiredArguments(arguments.length, 2, prefix);
    type = converters.DOMString(type, prefix, "Argument 1");
    if (typeof eventInitDict !== "object" || eventInitDict === null) {
      throw new TypeError(`${prefix}: parameter 2 is not of type 'OfflineAudioCompletionEventInit'.`);
    }
    const renderedBuffer = converters.AudioBuffer(
      eventInitDict.renderedBuffer,
      prefix,
      "'renderedBuffer' of 'OfflineAudioCompletionEventInit'",
    );
    super(type, eventInitDict);
    this.#renderedBuffer = renderedBuffer;
  }

  get renderedBuffer() {
    return this.#renderedBuffer;
  }
}
webidl.configureInterface(OfflineAudioCompletionEvent);

function notSupported(prefix, message) {
  throw new DOMException(`${prefix}: ${message}`, "NotSupportedError");
}

function invalidState(prefix, message) {
  return new DOMException(`${prefix}: ${message}`, "InvalidStateError");
}

class OfflineAudioContext extends BaseAudioContext {
  #length;
  #numberOfChannels;
  #renderingStarted = false;
  #controlState = "suspended";
  #rendering = null;
  #suspends = new SafeMap();
  #pendingResume = [];

  constructor(contextOptionsOrNumberOfChannels, length = undefined, sampleRate = undefined) {
    const prefix = "Failed to construct 'OfflineAudioContext'";
    const argc = arguments.length;
    let options;
    if (argc === 1 || (argc === 0)) {
      webidl.requiredArguments(argc, 1, prefix);
      options = converters.OfflineAudioContextOptions(
        contextOptionsOrNumberOfChannels,
        prefix,
        "Argument 1",
      );
    } else {
      webidl.requiredArguments(argc, 3, prefix);
      options = {
        numberOfChannels: converters["unsigned long"](contextOptionsOrNumberOfChannels, prefix, "Argument 1"),
        length: converters["unsigned long"](length, prefix, "Argument 2"),
        sampleRate: converters.float(sampleRate, prefix, "Argument 3"),
        renderSizeHint: "default",
      };
    }
    if (options.numberOfChannels === 0 || options.numberOfChannels > MAX_CHANNELS) {
      notSupported(prefix, `The number of channels provided (${options.numberOfChannels}) is outside the range [1, ${MAX_CHANNELS}].`);
    }
    if (options.length === 0) {
      notSupported(prefix, "The number of frames provided (0) is less than the minimum bound (1).");
    }
    if (!(options.sampleRate >= MIN_SAMPLE_RATE && options.sampleRate <= MAX_SAMPLE_RATE)) {
      notSupported(prefix, `The sample rate provided (${options.sampleRate}) is outside the range [${MIN_SAMPLE_RATE}, ${MAX_SAMPLE_RATE}].`);
    }
    if (typeof options.renderSizeHint === "number" && options.renderSizeHint !== 128) {
      notSupported(prefix, `The render size hint provided (${options.renderSizeHint}) is not supported; only 128 frames is.`);
    }
    const handle = op_offline_audio_context_new(
      options.numberOfChannels,
      options.length,
      options.sampleRate,
    );
    super(contextKey, handle, (ctx, event) => ctx.#onEngineEvent(event), true);
    this.#length = options.length;
    this.#numberOfChannels = options.numberOfChannels;
  }

  get length() {
    return this.#length;
  }

  startRendering() {
    const prefix = "Failed to execute 'startRendering' on 'OfflineAudioContext'";
    if (this.#renderingStarted) {
      return PromiseReject(invalidState(prefix, "cannot call startRendering more than once."));
    }
    this.#renderingStarted = true;
    try {
      // Allocates the rendered buffer: a RangeError when it cannot be had.
      op_offline_audio_context_start_rendering(contextHandleOf(this));
    } catch (e) {
      return PromiseReject(e);
    }
    this.#controlState = "running";
    this.#rendering = deferred();
    addPending(this, 1);
    return this.#rendering.promise;
  }

  suspend(suspendTime) {
    const prefix = "Failed to execute 'suspend' on 'OfflineAudioContext'";
    try {
      webidl.requiredArguments(arguments.length, 1, prefix);
      suspendTime = converters.double(suspendTime, prefix, "Argument 1");
    } catch (e) {
      return PromiseReject(e);
    }
    let frame;
    try {
      frame = op_offline_audio_context_suspend(contextHandleOf(this), suspendTime);
    } catch (e) {
      return PromiseReject(e);
    }
    // Not counted as pending work: before rendering starts it cannot
    // settle, and once it is running the rendering itself keeps us alive.
    const d = deferred();
    MapPrototypeSet(this.#suspends, frame, d);
    return d.promise;
  }

  resume() {
    const prefix = "Failed to execute 'resume' on 'OfflineAudioContext'";
    if (this.#controlState === "closed") {
      return PromiseReject(invalidState(prefix, "cannot resume a closed OfflineAudioContext."));
    }
    if (!this.#renderingStarted) {
      return PromiseReject(invalidState(prefix, "cannot resume an OfflineAudioContext that has not started rendering."));
    }
    this.#controlState = "running";
    const d = deferred();
    if (this.state === "running") {
      d.resolve();
      return d.promise;
    }
    this.#pendingResume[this.#pendingResume.length] = d;
    // Rendering continues: pending until the next suspend point or the end.
    addPending(this, 1);
    op_offline_audio_context_resume(contextHandleOf(this));
    return d.promise;
  }

  #onEngineEvent(event) {
    switch (event.type) {
      case "statechange":
        if (event.state === "running") {
          const resumed = this.#pendingResume;
          this.#pendingResume = [];
          for (let i = 0; i < resumed.length; i++) resumed[i].resolve();
        }
        if (event.state === "closed") this.#controlState = "closed";
        setContextState(this, event.state);
        break;
      case "suspended": {
        this.#controlState = "suspended";
        setContextState(this, "suspended");
        // Rendering waits for resume(): only script can make progress now.
        addPending(this, -1);
        const d = MapPrototypeGet(this.#suspends, event.frame);
        if (d !== undefined) {
          MapPrototypeDelete(this.#suspends, event.frame);
          d.resolve();
        }
        break;
      }
      case "complete":
        this.#complete();
        break;
    }
  }

  #complete() {
    const handle = contextHandleOf(this);
    const channels = [];
    let buffer = null;
    let failure = null;
    try {
      for (let i = 0; i < this.#numberOfChannels; i++) {
        channels[i] = new Float32Array(this.#length);
        op_offline_audio_context_copy_rendered(handle, i, channels[i]);
      }
      buffer = audioBufferInternals.fromChannels(this.sampleRate, channels);
    } catch {
      // The AudioBuffer's memory could not be had (the spec's RangeError).
      failure = new RangeError(
        "Failed to execute 'startRendering' on 'OfflineAudioContext': cannot allocate the rendered buffer.",
      );
    }
    this.#controlState = "closed";
    setContextState(this, "closed", true);
    addPending(this, -1);
    if (failure !== null) {
      this.#rendering.reject(failure);
      return;
    }
    this.#rendering.resolve(buffer);
    const context = this;
    queueTask(() =>
      context.dispatchEvent(
        new OfflineAudioCompletionEvent("complete", { renderedBuffer: buffer }),
      )
    );
  }
}
defineEventHandler(OfflineAudioContext.prototype, "complete");
webidl.configureInterface(OfflineAudioContext);

return { OfflineAudioContext, OfflineAudioCompletionEvent };
})();
