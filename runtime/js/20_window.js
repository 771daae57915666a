// The global scope of the main realm: a browser window's, with the Web
// Audio interfaces and the `WebAudioRun` namespace.

(function () {
const { core, primordials } = __bootstrap;
const {
  op_runtime_args,
  op_runtime_exit,
  op_runtime_main_module,
  op_runtime_write_wav,
} = core.ops;
const {
  ArrayPrototypeIncludes,
  NumberIsInteger,
  ObjectDefineProperties,
  ObjectDefineProperty,
  ObjectFreeze,
  ObjectGetOwnPropertyDescriptor,
  ObjectGetOwnPropertyNames,
  Float32Array,
  TypeError,
} = primordials;

const globalScope = core.loadExtScript("ext:webaudio_run/10_global_scope.js");
const { lazy, lazyFrom, nonEnumerable } = globalScope;
const globalInterfaces = core.loadExtScript("ext:deno_web/04_global_interfaces.js");

/**
 * The runtime namespace: what a script outside a browser needs and a page
 * does not have.
 */
const WebAudioRun = ObjectFreeze({
  __proto__: null,
  /** Arguments after the script path on the command line. */
  args: ObjectFreeze(op_runtime_args()),
  /** URL of the main module. */
  mainModule: op_runtime_main_module(),
  /** Error classes (`NotCapable`: an access not granted by a flag). */
  errors: globalScope.errors,
  /**
   * Writes an AudioBuffer to a WAV file (`bitDepth` 16 for integer PCM, 32
   * for float, the default). Needs `--allow-write`.
   */
  writeWav(path, audioBuffer, options = {}) {
    const prefix = "WebAudioRun.writeWav";
    if (typeof path !== "string" && !(path instanceof globalThis.URL)) {
      throw new TypeError(`${prefix}: path must be a string or a file: URL`);
    }
    const filePath = typeof path === "string"
      ? path
      : decodeURIComponent(path.pathname);
    if (!(audioBuffer instanceof globalThis.AudioBuffer)) {
      throw new TypeError(`${prefix}: the second argument must be an AudioBuffer`);
    }
    const bits = options?.bitDepth ?? 32;
    const channels = audioBuffer.numberOfChannels;
    const length = audioBuffer.length;
    const interleaved = new Float32Array(channels * length);
    for (let c = 0; c < channels; c++) {
      const data = audioBuffer.getChannelData(c);
      for (let i = 0; i < length; i++) interleaved[i * channels + c] = data[i];
    }
    op_runtime_write_wav(filePath, channels, audioBuffer.sampleRate, bits, interleaved);
  },
  /**
   * How busy a realtime context's render thread is: `{ quanta, average,
   * peak }`, the mean and the largest fraction of a quantum's real-time
   * budget spent rendering one, since the context started or the last call
   * with `{ reset: true }`. Offline contexts report zeros.
   */
  renderLoad(context, options = {}) {
    const { contextHandleOf } = core.loadExtScript(
      "ext:webaudio/12_base_audio_context.js",
    );
    if (!(context instanceof globalThis.BaseAudioContext)) {
      throw new TypeError("WebAudioRun.renderLoad: the argument must be an AudioContext");
    }
    const [quanta, average, peak] = core.ops.op_base_audio_context_render_load(
      contextHandleOf(context),
      !!options?.reset,
    );
    return { quanta, average, peak };
  },
  /**
   * How many nodes the engine holds for a context, its destination
   * included: those JS can reach, and those still playing or ringing. An
   * unreachable node that can make no more sound leaves once it is
   * collected.
   */
  nodeCount(context) {
    const { contextHandleOf } = core.loadExtScript(
      "ext:webaudio/12_base_audio_context.js",
    );
    if (!(context instanceof globalThis.BaseAudioContext)) {
      throw new TypeError("WebAudioRun.nodeCount: the argument must be an AudioContext");
    }
    return core.ops.op_base_audio_context_node_count(contextHandleOf(context));
  },
  /**
   * The engine objects JS holds (contexts, nodes, params, PeriodicWaves):
   * `{ live, nativeBytes, collections, collectionMs }` -- how many, the
   * native memory estimated behind them, and the garbage collections the
   * runtime requested for them so far and the time those took.
   */
  handleStats() {
    const [live, nativeBytes, collections, collectionMs] = core.ops.op_webaudio_handle_stats();
    return { live, nativeBytes, collections, collectionMs };
  },
  /** Ends the process with `code` (0 by default), closing audio output first. */
  exit(code = 0) {
    if (!NumberIsInteger(code) || code < 0 || code > 255) {
      throw new TypeError(`WebAudioRun.exit: code must be an integer in 0..=255, got ${code}`);
    }
    op_runtime_exit(code);
  },
});

function bootstrapWindow() {
  const globals = globalScope.windowOrWorkerGlobals();
  const { webAudioGlobalScripts } = core.loadExtScript(
    "ext:webaudio/99_global_scope.js",
  );
  for (const name in webAudioGlobalScripts) {
    const script = `ext:webaudio/${webAudioGlobalScripts[name]}.js`;
    globals[name] = lazy(name, () => core.loadExtScript(script)[name]);
  }
  lazyFrom(
    globals,
    () => core.loadExtScript("ext:webaudio_run/01_navigator.js").window(),
    ["Navigator", "navigator"],
  );
  ObjectDefineProperties(globalThis, globals);
  ObjectDefineProperties(globalThis, {
    Window: globalInterfaces.windowConstructorDescriptor,
    WebAudioRun: nonEnumerable(WebAudioRun),
  });
  // The global object is a Window, hence an EventTarget (`addEventListener`
  // on `globalThis` works, as in a page).
  globalScope.makeGlobalEventTarget(globalInterfaces.Window.prototype);
  ObjectDefineProperties(globalThis, {
    window: { __proto__: null, get: () => globalThis, enumerable: true, configurable: false },
    self: { __proto__: null, get: () => globalThis, set() {}, enumerable: true, configurable: true },
  });
  // Engine-provided globals (WebAssembly, Intl, queueMicrotask...) are
  // non-enumerable in a browser; only `window` and `self` are enumerable.
  for (const name of ObjectGetOwnPropertyNames(globalThis)) {
    if (ArrayPrototypeIncludes(["window", "self"], name)) continue;
    const desc = ObjectGetOwnPropertyDescriptor(globalThis, name);
    if (desc.enumerable && desc.configurable) {
      ObjectDefineProperty(globalThis, name, { __proto__: null, enumerable: false });
    }
  }
}

return { bootstrapWindow };
})();
