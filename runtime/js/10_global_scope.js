// What a window and a dedicated worker share (WindowOrWorkerGlobalScope and
// the interfaces exposed to both): the property descriptors the two
// bootstraps install, and the helpers they use. Every interface is a
// non-enumerable, writable, configurable property, as in a browser. Most
// interfaces are loaded on first use (see `lazy`) so that start-up stays
// fast.

(function () {
const { core, primordials } = __bootstrap;
const { op_runtime_terminals } = core.ops;
const {
  ObjectDefineProperty,
  ObjectFreeze,
} = primordials;

const load = (name) => core.loadExtScript(`ext:deno_web/${name}.js`);

const consoleModule = load("01_console");
const { DOMException } = load("01_dom_exception");
const event = load("02_event");
const timers = load("02_timers");

// Rust ops (ours, deno_web's, deno_crypto's) throw DOMExceptions by class
// name (`DOMExceptionIndexSizeError`...): every name WebIDL defines.
for (
  const name of [
    "AbortError",
    "ConstraintError",
    "DataCloneError",
    "DataError",
    "EncodingError",
    "HierarchyRequestError",
    "IndexSizeError",
    "InvalidAccessError",
    "InvalidCharacterError",
    "InvalidModificationError",
    "InvalidNodeTypeError",
    "InvalidStateError",
    "NamespaceError",
    "NetworkError",
    "NoModificationAllowedError",
    "NotAllowedError",
    "NotFoundError",
    "NotReadableError",
    "NotSupportedError",
    "OperationError",
    "QuotaExceededError",
    "ReadOnlyError",
    "SecurityError",
    "SyntaxError",
    "TimeoutError",
    "TransactionInactiveError",
    "TypeMismatchError",
    "URLMismatchError",
    "UnknownError",
    "VersionError",
    "WrongDocumentError",
  ]
) {
  core.registerErrorBuilder(
    `DOMException${name}`,
    (message) => new DOMException(message, name),
  );
}

/**
 * The error classes of the `WebAudioRun` namespace. `NotCapable`, an access
 * the process was not granted (`--allow-read`, `--allow-write`,
 * `--allow-net`), is deno_core's class, Deno 2's `Deno.errors.NotCapable`:
 * ops that fail with class "NotCapable" throw it.
 */
const errors = ObjectFreeze({ __proto__: null, NotCapable: core.NotCapable });

const [stdoutIsTerminal, stderrIsTerminal] = op_runtime_terminals();
consoleModule.setNoColorFns(() => !stdoutIsTerminal, () => !stderrIsTerminal);

const nonEnumerable = (value) => ({
  __proto__: null,
  value,
  writable: true,
  enumerable: false,
  configurable: true,
});

/** A read-only attribute of the global object. */
const readonly = (value) => ({
  __proto__: null,
  get: () => value,
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

/** The descriptors of the globals a window and a dedicated worker share. */
function windowOrWorkerGlobals() {
  const globals = {
    __proto__: null,
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
    // A script here is as trusted as one served over https, and it may
    // share memory with its workers (SharedArrayBuffer is available).
    isSecureContext: readonly(true),
    crossOriginIsolated: readonly(true),
  };
  lazyFrom(globals, () => load("03_abort_signal"), [
    "AbortController",
    "AbortSignal",
  ]);
  lazyFrom(globals, () => load("09_file"), ["Blob", "File"]);
  lazyFrom(globals, () => load("13_message_port"), [
    "MessageChannel",
    "MessagePort",
  ]);
  // 09_file adds URL.createObjectURL and revokeObjectURL to URL.
  lazyFrom(globals, () => {
    load("09_file");
    return load("00_url");
  }, ["URL", "URLSearchParams"]);
  lazyFrom(globals, () => load("08_text_encoding"), [
    "TextDecoder",
    "TextEncoder",
  ]);
  lazyFrom(globals, () => load("05_base64"), ["atob", "btoa"]);
  lazyFrom(globals, () => load("02_structured_clone"), ["structuredClone"]);
  lazyFrom(
    globals,
    () => core.loadExtScript("ext:webaudio_run/00_fetch.js"),
    ["fetch", "Headers", "Response"],
  );
  lazyFrom(globals, () => load("15_performance"), [
    "Performance",
    "PerformanceEntry",
    "PerformanceMark",
    "PerformanceMeasure",
    "performance",
  ]);
  lazyFrom(
    globals,
    () => core.loadExtScript("ext:deno_crypto/00_crypto.js"),
    ["crypto", "Crypto", "CryptoKey", "SubtleCrypto"],
  );
  lazyFrom(
    globals,
    () => core.loadExtScript("ext:webaudio_run/02_animation_frame.js"),
    ["requestAnimationFrame", "cancelAnimationFrame"],
  );
  lazyFrom(
    globals,
    () => core.loadExtScript("ext:webaudio_run/03_worker.js"),
    ["Worker"],
  );
  return globals;
}

/**
 * Makes `globalThis` an EventTarget of the given global interface, as
 * `window` or a worker's `self` is.
 */
function makeGlobalEventTarget(prototype) {
  const webidl = core.loadExtScript("ext:deno_webidl/00_webidl.js");
  primordials.ObjectSetPrototypeOf(globalThis, prototype);
  event.setEventTargetData(globalThis);
  globalThis[webidl.brand] = webidl.brand;
  event.saveGlobalThisReference(globalThis);
}

return {
  errors,
  lazy,
  lazyFrom,
  makeGlobalEventTarget,
  nonEnumerable,
  readonly,
  windowOrWorkerGlobals,
};
})();
