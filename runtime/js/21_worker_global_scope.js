// The global scope of a dedicated worker (DedicatedWorkerGlobalScope): the
// globals a window and a worker share, plus `self`, `name`, `location`,
// `postMessage`, `close`, `onmessage`/`onmessageerror`, `importScripts`
// (classic workers) and `WorkerNavigator`. Window-only interfaces are
// absent, as in browsers: no `window`, no `document`, and none of the Web
// Audio interfaces (all are [Exposed=Window]).

(function () {
const { core, primordials } = __bootstrap;
const {
  op_runtime_main_module,
  op_worker_close,
  op_worker_import_script,
  op_worker_info,
  op_worker_take_port,
} = core.ops;
const {
  ObjectDefineProperties,
  ArrayPrototypePush,
  ObjectFreeze,
  SymbolFor,
  TypeError,
} = primordials;

const globalScope = core.loadExtScript("ext:webaudio_run/10_global_scope.js");
const { lazyFrom, nonEnumerable, readonly } = globalScope;
const globalInterfaces = core.loadExtScript("ext:deno_web/04_global_interfaces.js");
const event = core.loadExtScript("ext:deno_web/02_event.js");
const messagePort = core.loadExtScript("ext:deno_web/13_message_port.js");
const locationModule = core.loadExtScript("ext:deno_web/12_location.js");
const webidl = core.loadExtScript("ext:deno_webidl/00_webidl.js");
const { DOMException } = core.loadExtScript("ext:deno_web/01_dom_exception.js");
const { URL } = core.loadExtScript("ext:deno_web/00_url.js");

function bootstrapWorker() {
  const scriptUrl = op_runtime_main_module();
  const { 0: name, 1: isClassic } = op_worker_info();
  locationModule.setLocationHref(scriptUrl);

  const port = core.getTransferableResource("MessagePort").receive(op_worker_take_port());
  // The port's receive op does not keep the worker alive by itself (a
  // worker runs while it has work or listens for messages, which Rust asks
  // through the hook below); it is not a listener on the port.
  port[messagePort.nodeWorkerThreadCloseCb] = () => {};
  for (const type of ["message", "messageerror"]) {
    event.EventTargetPrototype.addEventListener.call(port, type, (e) => {
      const copy = new event.MessageEvent(type, { data: e.data, ports: e.ports });
      event.setIsTrusted(copy, true);
      globalThis.dispatchEvent(copy);
    });
  }

  function postMessage(message, transferOrOptions = undefined) {
    const prefix = "Failed to execute 'postMessage' on 'DedicatedWorkerGlobalScope'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    if (arguments.length < 2) {
      port.postMessage(message);
    } else {
      port.postMessage(message, transferOrOptions);
    }
  }

  function close() {
    op_worker_close();
  }

  function importScripts(...urls) {
    const prefix = "Failed to execute 'importScripts' on 'WorkerGlobalScope'";
    if (!isClassic) {
      throw new TypeError(`${prefix}: Module scripts don't support importScripts().`);
    }
    const resolved = [];
    for (let i = 0; i < urls.length; i++) {
      const url = webidl.converters.USVString(urls[i], prefix, `Argument ${i + 1}`);
      try {
        ArrayPrototypePush(resolved, new URL(url, scriptUrl).href);
      } catch {
        throw new DOMException(`${prefix}: The URL '${url}' is invalid.`, "SyntaxError");
      }
    }
    for (const url of resolved) {
      const source = op_worker_import_script(url);
      const { 1: error } = core.evalContext(source, url);
      if (error !== null) throw error.thrown;
    }
  }

  const globals = globalScope.windowOrWorkerGlobals();
  lazyFrom(
    globals,
    () => core.loadExtScript("ext:webaudio_run/01_navigator.js").worker(),
    ["WorkerNavigator", "navigator"],
  );
  ObjectDefineProperties(globalThis, globals);
  ObjectDefineProperties(globalThis, {
    WorkerGlobalScope: globalInterfaces.workerGlobalScopeConstructorDescriptor,
    DedicatedWorkerGlobalScope: globalInterfaces.dedicatedWorkerGlobalScopeConstructorDescriptor,
    WorkerLocation: locationModule.workerLocationConstructorDescriptor,
    location: locationModule.workerLocationDescriptor,
    name: readonly(name),
    postMessage: nonEnumerable(postMessage),
    close: nonEnumerable(close),
    importScripts: nonEnumerable(importScripts),
    WebAudioRun: nonEnumerable(ObjectFreeze({
      __proto__: null,
      args: ObjectFreeze([]),
      mainModule: scriptUrl,
      errors: globalScope.errors,
    })),
  });
  globalScope.makeGlobalEventTarget(globalInterfaces.DedicatedWorkerGlobalScope.prototype);
  ObjectDefineProperties(globalThis, {
    self: { __proto__: null, get: () => globalThis, set() {}, enumerable: true, configurable: true },
  });
  for (const type of ["message", "messageerror", "error", "unhandledrejection", "rejectionhandled"]) {
    event.defineEventHandler(globalThis, type, undefined, type === "error");
  }
  // An exception in a timer or event listener goes to the worker's own
  // `error` listeners first; one they leave unhandled ends the worker and
  // is reported to its parent.
  core.setReportExceptionCallback(event.reportException);

  globalThis[SymbolFor("webaudio-run.worker")] = {
    __proto__: null,
    // As HTML's "run a worker": messages are delivered once the script has
    // run (a module's top-level code up to its first `await`).
    started() {
      port.start();
    },
    listens() {
      return event.listenerCount(globalThis, "message") > 0 ||
        messagePort.refedMessagePortsCount > 0;
    },
  };
}

return { bootstrapWorker };
})();
