// AudioContext: a realtime context playing on the default output device (or
// on no device with `sinkId: { type: "none" }`).

(function () {
const { core, primordials } = __bootstrap;
const {
  op_audio_context_new,
  op_audio_context_resume,
  op_audio_context_suspend,
  op_audio_context_close,
  op_audio_context_base_latency,
  op_audio_context_output_latency,
  op_audio_context_output_timestamp,
} = core.ops;
const {
  ArrayPrototypePush,
  ArrayPrototypeSplice,
  PromiseReject,
  PromiseResolve,
  Symbol,
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
const { MIN_SAMPLE_RATE, MAX_SAMPLE_RATE } = core.loadExtScript(
  "ext:webaudio/01_audio_buffer.js",
);
const {
  BaseAudioContext,
  addPending,
  contextHandleOf,
  contextKey,
  deferred,
  setContextState,
} = core.loadExtScript("ext:webaudio/12_base_audio_context.js");
const performance = core.loadExtScript("ext:deno_web/15_performance.js");

const sinkInfoKey = Symbol("AudioSinkInfo.key");

class AudioSinkInfo {
  #type;
  constructor(key, type) {
    if (key !== sinkInfoKey) webidl.illegalConstructor();
    this.#type = type;
  }
  get type() {
    return this.#type;
  }
}
webidl.configureInterface(AudioSinkInfo);

function invalidState(prefix, message) {
  return new DOMException(`${prefix}: ${message}`, "InvalidStateError");
}

class AudioContext extends BaseAudioContext {
  #controlState = "suspended";
  #startPending = true;
  #sinkId;
  #pendingResume = [];
  #pendingSuspend = [];
  #pendingClose = [];

  constructor(contextOptions = {}) {
    const prefix = "Failed to construct 'AudioContext'";
    contextOptions = converters.AudioContextOptions(contextOptions, prefix, "Argument 1");
    const { latencyHint, sampleRate, sinkId, renderSizeHint } = contextOptions;
    if (
      sampleRate !== undefined &&
      !(sampleRate >= MIN_SAMPLE_RATE && sampleRate <= MAX_SAMPLE_RATE)
    ) {
      throw new DOMException(
        `${prefix}: The hardware sample rate provided (${sampleRate}) is outside the range [${MIN_SAMPLE_RATE}, ${MAX_SAMPLE_RATE}].`,
        "NotSupportedError",
      );
    }
    if (typeof renderSizeHint === "number" && renderSizeHint !== 128) {
      throw new DOMException(
        `${prefix}: The render size hint provided (${renderSizeHint}) is not supported; only 128 frames is.`,
        "NotSupportedError",
      );
    }
    const sinkNone = typeof sinkId === "object";
    const handle = op_audio_context_new(
      typeof latencyHint === "string" ? latencyHint : "",
      typeof latencyHint === "number" ? latencyHint : -1,
      sampleRate ?? 0,
      sinkNone,
    );
    super(contextKey, handle, (ctx, event) => ctx.#onEngineEvent(event), false);
    this.#sinkId = sinkNone ? new AudioSinkInfo(sinkInfoKey, "none") : "";
    // Rendering starts by itself (this runtime is always "allowed to start");
    // the process stays alive until the state change is delivered.
    addPending(this, 1);
    this.#controlState = "running";
    if (typeof sinkId === "string" && sinkId !== "") {
      // Only the default device (the empty string) can be chosen.
      const context = this;
      PromiseResolve().then(() => context.dispatchEvent(new Event("error")));
    }
  }

  get baseLatency() {
    return op_audio_context_base_latency(contextHandleOf(this));
  }

  get outputLatency() {
    return op_audio_context_output_latency(contextHandleOf(this));
  }

  get sinkId() {
    return this.#sinkId;
  }

  getOutputTimestamp() {
    const [contextTime, secondsAgo] = op_audio_context_output_timestamp(
      contextHandleOf(this),
    );
    if (contextTime === 0 && secondsAgo === 0) {
      return { contextTime: 0, performanceTime: 0 };
    }
    return {
      contextTime,
      performanceTime: performance.performance.now() - secondsAgo * 1000,
    };
  }

  resume() {
    const prefix = "Failed to execute 'resume' on 'AudioContext'";
    if (this.#controlState === "closed") {
      return PromiseReject(invalidState(prefix, "cannot resume a closed AudioContext."));
    }
    this.#controlState = "running";
    const d = deferred();
    if (this.state === "running" && !this.#startPending && this.#pendingSuspend.length === 0) {
      d.resolve();
      return d.promise;
    }
    ArrayPrototypePush(this.#pendingResume, d);
    addPending(this, 1);
    op_audio_context_resume(contextHandleOf(this));
    return d.promise;
  }

  suspend() {
    const prefix = "Failed to execute 'suspend' on 'AudioContext'";
    if (this.#controlState === "closed") {
      return PromiseReject(invalidState(prefix, "cannot suspend a closed AudioContext."));
    }
    this.#controlState = "suspended";
    const d = deferred();
    if (this.state === "suspended" && !this.#startPending && this.#pendingResume.length === 0) {
      d.resolve();
      return d.promise;
    }
    ArrayPrototypePush(this.#pendingSuspend, d);
    addPending(this, 1);
    op_audio_context_suspend(contextHandleOf(this));
    return d.promise;
  }

  close() {
    const prefix = "Failed to execute 'close' on 'AudioContext'";
    if (this.#controlState === "closed") {
      return PromiseReject(invalidState(prefix, "cannot close a closed AudioContext."));
    }
    this.#controlState = "closed";
    const d = deferred();
    ArrayPrototypePush(this.#pendingClose, d);
    addPending(this, 1);
    op_audio_context_close(contextHandleOf(this));
    return d.promise;
  }

  setSinkId(sinkId) {
    const prefix = "Failed to execute 'setSinkId' on 'AudioContext'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    converters.SinkId(sinkId, prefix, "Argument 1");
    return PromiseReject(
      new DOMException(`${prefix}: changing the output device is not implemented in webaudio-run yet.`, "NotSupportedError"),
    );
  }

  createMediaElementSource() {
    throw new DOMException("Failed to execute 'createMediaElementSource' on 'AudioContext': there are no media elements in webaudio-run.", "NotSupportedError");
  }

  createMediaStreamSource() {
    throw new DOMException("Failed to execute 'createMediaStreamSource' on 'AudioContext': there are no media streams in webaudio-run.", "NotSupportedError");
  }

  createMediaStreamTrackSource() {
    throw new DOMException("Failed to execute 'createMediaStreamTrackSource' on 'AudioContext': there are no media streams in webaudio-run.", "NotSupportedError");
  }

  createMediaStreamDestination() {
    throw new DOMException("Failed to execute 'createMediaStreamDestination' on 'AudioContext': there are no media streams in webaudio-run.", "NotSupportedError");
  }

  #settle(list, fn) {
    const settled = ArrayPrototypeSplice(list, 0, list.length);
    for (let i = 0; i < settled.length; i++) {
      fn(settled[i]);
      addPending(this, -1);
    }
  }

  #onEngineEvent(event) {
    if (event.type !== "statechange") return;
    const state = event.state;
    if (state === "running") {
      if (this.#startPending) {
        this.#startPending = false;
        addPending(this, -1);
      }
      if (this.#controlState === "suspended" && this.#pendingResume.length === 0) {
        // suspend() was called before rendering started: keep the user's state.
        this.#settle(this.#pendingResume, (d) => d.resolve());
        return;
      }
      this.#settle(this.#pendingResume, (d) => d.resolve());
      setContextState(this, "running");
      if (this.#controlState !== "closed") this.#controlState = "running";
    } else if (state === "suspended") {
      this.#settle(this.#pendingSuspend, (d) => d.resolve());
      setContextState(this, "suspended");
    } else if (state === "closed") {
      if (this.#startPending) {
        this.#startPending = false;
        addPending(this, -1);
      }
      const prefix = "Failed to execute 'resume' on 'AudioContext'";
      this.#settle(this.#pendingResume, (d) => d.reject(invalidState(prefix, "the AudioContext was closed.")));
      this.#settle(this.#pendingSuspend, (d) => d.resolve());
      this.#settle(this.#pendingClose, (d) => d.resolve());
      setContextState(this, "closed");
    }
  }
}
defineEventHandler(AudioContext.prototype, "sinkchange");
defineEventHandler(AudioContext.prototype, "error");
webidl.configureInterface(AudioContext);


return { AudioContext, AudioSinkInfo };
})();
