// Bootstrap: installs the global scope of this realm, a browser window's
// (the main script) or a dedicated worker's (a `Worker`). This is the one
// place that decides which; the globals themselves are defined in
// `10_global_scope.js` (shared), `20_window.js` and
// `21_worker_global_scope.js`.

(function () {
const { core, primordials } = __bootstrap;
const { FunctionPrototypeCall } = primordials;
const event = core.loadExtScript("ext:deno_web/02_event.js");
const { checkDispatchEventArgument, removeEngineGlobals } = core.loadExtScript(
  "ext:webaudio/02_realm_globals.js",
);

if (core.ops.op_runtime_global_scope() === "worker") {
  core.loadExtScript("ext:webaudio_run/21_worker_global_scope.js")
    .bootstrapWorker();
} else {
  core.loadExtScript("ext:webaudio_run/20_window.js").bootstrapWindow();
  // Uncaught exceptions are reported on the global object first, as in a
  // browser: "error" listeners (and the onerror attribute) see them, and
  // preventDefault() keeps the process running. (A worker's scope sets up
  // its own, which also reports to the Worker object.)
  event.defineEventHandler(globalThis, "error", undefined, true);
  event.defineEventHandler(globalThis, "unhandledrejection");
  event.defineEventHandler(globalThis, "rejectionhandled");
  core.setReportExceptionCallback(event.reportException);
}

// Taken before any script runs, which may replace them.
const globalObject = globalThis;
const { dispatchEvent } = event.EventTarget.prototype;

/** Dispatches "unhandledrejection"; true when a listener handled it. */
function reportUnhandledRejection(promise, reason) {
  const rejection = new event.PromiseRejectionEvent("unhandledrejection", {
    cancelable: true,
    promise,
    reason,
  });
  FunctionPrototypeCall(dispatchEvent, globalObject, rejection);
  return rejection.defaultPrevented;
}

/** Dispatches "rejectionhandled" for a rejection handled late. */
function reportRejectionHandled(promise, reason) {
  FunctionPrototypeCall(
    dispatchEvent,
    globalObject,
    new event.PromiseRejectionEvent("rejectionhandled", { promise, reason }),
  );
}

core.setUnhandledPromiseRejectionHandler(reportUnhandledRejection);
core.setHandledPromiseRejectionHandler(reportRejectionHandled);
checkDispatchEventArgument(event);
// Scripts see a browser's global scope, not deno_core's or the engine's
// internals.
removeEngineGlobals(globalThis);
delete globalThis.Deno;
delete globalThis.__bootstrap;
})();
