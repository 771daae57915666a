// Bootstrap: installs the global scope a browser window gives audio code.
// This is the one place that defines globals. Every interface is a
// non-enumerable, writable, configurable property, as in a browser, and
// `self`, `window` and `globalThis` are the same object. Most interfaces are
// loaded on first use (see `lazy`) so that start-up stays fast.

(function () {
const { core, primordials } = __bootstrap;
const {
  op_runtime_args,
  op_runtime_exit,
  op_runtime_main_module,
  op_runtime_terminals,
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
  ObjectSetPrototypeOf,
  Float32Array,
  TypeError,
} = primordials;

const load = (name) => core.loadExtScript(`ext:deno_web/${name}.js`);

const webidl = core.loadExtScript("ext:deno_webidl/00_webidl.js");
const consoleModule = load("01_console");
const { DOMException } = load("01_dom_exception");
const event = load("02_event");
const timers = load("02_timers");
const globalInterfaces = load("04_global_interfaces");

// Rust ops throw DOMExceptions by class name (`DOMExceptionIndexSizeError`...).
for (
  const name of [
    "AbortError",
    "DataCloneError",
    "EncodingError",
    "IndexSizeError",
    "InvalidAccessError",
    "InvalidStateError",
    "NotFoundError",
    "NotSupportedError",
    "OperationError",
    "SyntaxError",
    "UnknownError",
  ]
) {
  core.registerErrorBuilder(
    `DOMException${name}`,
    (message) => new DOMException(message, name),
  );
}

const [stdoutIsTerminal, stderrIsTerminal] = op_runtime_terminals();
consoleModule.setNoColorFns(() => !stdoutIsTerminal, () => !stderrIsTerminal);

const nonEnumerable = (value) => ({
  __proto__: null,
  value,
  writable: true,
  enumerable: false,
  configurable: true,
});

/**
 * A global whose script is loaded on first use, to keep start-up fast. It
 * turns into an ordinary non-enumerable data property the first time it is
 * read or written.
 */
function lazy(name, loadValue) {
  return {
    __proto__: null,
    get() {
      const value = loadValue();
      ObjectDefineProperty(globalThis, name, nonEnumerable(value));
      return value;
    },
    set(value) {
      ObjectDefineProperty(globalThis, name, nonEnumerable(value));
    },
    enumerable: false,
    configurable: true,
  };
}

/** `lazy` for several globals exported by one script. */
function lazyFrom(descriptors, loadScript, names) {
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    descriptors[name] = lazy(name, () => loadScript()[name]);
  }
}

const windowOrWorkerGlobals = {
  CustomEvent: nonEnumerable(event.CustomEvent),
  DOMException: nonEnumerable(DOMException),
  ErrorEvent: nonEnumerable(event.ErrorEvent),
  Event: nonEnumerable(event.Event),
  EventTarget: nonEnumerable(event.EventTarget),
  MessageEvent: nonEnumerable(event.MessageEvent),
  ProgressEvent: nonEnumerable(event.ProgressEvent),
  PromiseRejectionEvent: nonEnumerable(event.PromiseRejectionEvent),
  clearInterval: nonEnumerable(timers.clearInterval),
  clearTimeout: nonEnumerable(timers.clearTimeout),
  console: nonEnumerable(
    new consoleModule.Console((msg, level) => {
      // As in a browser, logging never throws: a closed stdout or stderr
      // (`webaudio-run x.js | head`) drops the output.
      try {
        core.print(msg, level > 1);
      } catch {
        // The reader went away; nothing to report it to.
      }
    }),
  ),
  reportError: nonEnumerable(event.reportError),
  setInterval: nonEnumerable(timers.setInterval),
  setTimeout: nonEnumerable(timers.setTimeout),
};
lazyFrom(windowOrWorkerGlobals, () => load("03_abort_signal"), [
  "AbortController",
  "AbortSignal",
]);
lazyFrom(windowOrWorkerGlobals, () => load("09_file"), ["Blob", "File"]);
lazyFrom(windowOrWorkerGlobals, () => load("13_message_port"), [
  "MessageChannel",
  "MessagePort",
]);
// 09_file adds URL.createObjectURL and revokeObjectURL to URL.
lazyFrom(windowOrWorkerGlobals, () => {
  load("09_file");
  return load("00_url");
}, ["URL", "URLSearchParams"]);
lazyFrom(windowOrWorkerGlobals, () => load("08_text_encoding"), [
  "TextDecoder",
  "TextEncoder",
]);
lazyFrom(windowOrWorkerGlobals, () => load("05_base64"), ["atob", "btoa"]);
lazyFrom(windowOrWorkerGlobals, () => load("02_structured_clone"), [
  "structuredClone",
]);
lazyFrom(
  windowOrWorkerGlobals,
  () => core.loadExtScript("ext:webaudio_run/00_fetch.js"),
  ["fetch", "Headers", "Response"],
);
function loadPerformance() {
  const performance = load("15_performance");
  return performance;
}
lazyFrom(windowOrWorkerGlobals, loadPerformance, [
  "Performance",
  "PerformanceEntry",
  "PerformanceMark",
  "PerformanceMeasure",
  "performance",
]);
const { webAudioGlobalScripts } = core.loadExtScript(
  "ext:webaudio/99_global_scope.js",
);
for (const name in webAudioGlobalScripts) {
  const script = `ext:webaudio/${webAudioGlobalScripts[name]}.js`;
  windowOrWorkerGlobals[name] = lazy(name, () => core.loadExtScript(script)[name]);
}

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
  /**
   * Writes an AudioBuffer to a WAV file (`bitDepth` 16 for integer PCM, 32
   * for float, the default).
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
  /** Ends the process with `code` (0 by default), closing audio output first. */
  exit(code = 0) {
    if (!NumberIsInteger(code) || code < 0 || code > 255) {
      throw new TypeError(`WebAudioRun.exit: code must be an integer in 0..=255, got ${code}`);
    }
    op_runtime_exit(code);
  },
});

function bootstrap() {
  ObjectDefineProperties(globalThis, windowOrWorkerGlobals);
  ObjectDefineProperties(globalThis, {
    Window: globalInterfaces.windowConstructorDescriptor,
    WebAudioRun: nonEnumerable(WebAudioRun),
  });
  // The global object is a Window, hence an EventTarget (`addEventListener`
  // on `globalThis` works, as in a page).
  ObjectSetPrototypeOf(globalThis, globalInterfaces.Window.prototype);
  event.setEventTargetData(globalThis);
  globalThis[webidl.brand] = webidl.brand;
  event.saveGlobalThisReference(globalThis);
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
  // Scripts see a browser's global scope, not deno_core's internals.
  delete globalThis.Deno;
  delete globalThis.__bootstrap;
}

bootstrap();

// Used by the runtime before the main script runs; not visible to scripts.
ObjectDefineProperty(globalThis, "__webaudioRunIsClassicScript", {
  __proto__: null,
  value: (source) => {
    try {
      // A classic script parses as a function body; module syntax (`import`,
      // `export`, top-level `await`, `import.meta`) does not.
      new globalThis.Function(source);
      return true;
    } catch {
      return false;
    }
  },
  configurable: true,
});
})();
