// Bootstrap: installs the global scope a browser window gives audio code.
// This is the one place that defines globals. Every interface is a
// non-enumerable, writable, configurable data property, as in a browser, and
// `self`, `window` and `globalThis` are the same object.

(function () {
const { core, primordials } = __bootstrap;
const {
  op_runtime_args,
  op_runtime_exit,
  op_runtime_main_module,
  op_runtime_terminals,
} = core.ops;
const { fetch, Headers, Response } = core.loadExtScript(
  "ext:webaudio_run/00_fetch.js",
);

const {
  ArrayPrototypeIncludes,
  ObjectDefineProperties,
  ObjectGetOwnPropertyDescriptor,
  ObjectGetOwnPropertyNames,
  ObjectDefineProperty,
  ObjectFreeze,
  ObjectSetPrototypeOf,
  NumberIsInteger,
  TypeError,
} = primordials;

const load = (name) => core.loadExtScript(`ext:deno_web/${name}.js`);

const webidl = core.loadExtScript("ext:deno_webidl/00_webidl.js");
const url = load("00_url");
const consoleModule = load("01_console");
const { DOMException } = load("01_dom_exception");
const event = load("02_event");
const { structuredClone } = load("02_structured_clone");
const timers = load("02_timers");
const abortSignal = load("03_abort_signal");
const globalInterfaces = load("04_global_interfaces");
const base64 = load("05_base64");
const encoding = load("08_text_encoding");
const file = load("09_file");
const messagePort = load("13_message_port");
const performance = load("15_performance");
const { webAudioGlobals } = core.loadExtScript("ext:webaudio/99_global_scope.js");

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

const windowOrWorkerGlobals = {
  AbortController: nonEnumerable(abortSignal.AbortController),
  AbortSignal: nonEnumerable(abortSignal.AbortSignal),
  Blob: nonEnumerable(file.Blob),
  CustomEvent: nonEnumerable(event.CustomEvent),
  DOMException: nonEnumerable(DOMException),
  ErrorEvent: nonEnumerable(event.ErrorEvent),
  Event: nonEnumerable(event.Event),
  EventTarget: nonEnumerable(event.EventTarget),
  File: nonEnumerable(file.File),
  Headers: nonEnumerable(Headers),
  MessageChannel: nonEnumerable(messagePort.MessageChannel),
  MessageEvent: nonEnumerable(event.MessageEvent),
  MessagePort: nonEnumerable(messagePort.MessagePort),
  Performance: nonEnumerable(performance.Performance),
  PerformanceEntry: nonEnumerable(performance.PerformanceEntry),
  PerformanceMark: nonEnumerable(performance.PerformanceMark),
  PerformanceMeasure: nonEnumerable(performance.PerformanceMeasure),
  ProgressEvent: nonEnumerable(event.ProgressEvent),
  PromiseRejectionEvent: nonEnumerable(event.PromiseRejectionEvent),
  Response: nonEnumerable(Response),
  TextDecoder: nonEnumerable(encoding.TextDecoder),
  TextEncoder: nonEnumerable(encoding.TextEncoder),
  URL: nonEnumerable(url.URL),
  URLSearchParams: nonEnumerable(url.URLSearchParams),
  atob: nonEnumerable(base64.atob),
  btoa: nonEnumerable(base64.btoa),
  clearInterval: nonEnumerable(timers.clearInterval),
  clearTimeout: nonEnumerable(timers.clearTimeout),
  console: nonEnumerable(
    new consoleModule.Console((msg, level) => core.print(msg, level > 1)),
  ),
  fetch: nonEnumerable(fetch),
  performance: nonEnumerable(performance.performance),
  reportError: nonEnumerable(event.reportError),
  setInterval: nonEnumerable(timers.setInterval),
  setTimeout: nonEnumerable(timers.setTimeout),
  structuredClone: nonEnumerable(structuredClone),
};

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
  for (const name in webAudioGlobals) {
    ObjectDefineProperty(globalThis, name, nonEnumerable(webAudioGlobals[name]));
  }
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
  performance.setTimeOrigin();
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
