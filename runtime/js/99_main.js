// Bootstrap: installs the global scope of this realm, a browser window's
// (the main script) or a dedicated worker's (a `Worker`). This is the one
// place that decides which; the globals themselves are defined in
// `10_global_scope.js` (shared), `20_window.js` and
// `21_worker_global_scope.js`.

(function () {
const { core } = __bootstrap;

if (core.ops.op_runtime_global_scope() === "worker") {
  core.loadExtScript("ext:webaudio_run/21_worker_global_scope.js")
    .bootstrapWorker();
} else {
  core.loadExtScript("ext:webaudio_run/20_window.js").bootstrapWindow();
}
// Scripts see a browser's global scope, not deno_core's internals.
delete globalThis.Deno;
delete globalThis.__bootstrap;
})();
