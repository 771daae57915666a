// Reports what a dedicated worker's global scope has.
const names = [
  "AudioContext", "OfflineAudioContext", "AudioBuffer", "document", "window",
  "WebAudioRun", "fetch", "Worker", "crypto", "navigator", "requestAnimationFrame",
  "MessageChannel", "structuredClone", "setTimeout", "location", "importScripts",
];
const types = Object.fromEntries(names.map((n) => [n, typeof globalThis[n]]));
let importScriptsError = null;
try {
  importScripts("./lib/add.js");
} catch (e) {
  importScriptsError = e.name;
}
postMessage({
  types,
  tag: Object.prototype.toString.call(self),
  selfIsGlobal: self === globalThis,
  isDedicated: globalThis instanceof DedicatedWorkerGlobalScope,
  isWorkerScope: globalThis instanceof WorkerGlobalScope,
  name,
  href: location.href,
  navigator: navigator instanceof WorkerNavigator && typeof navigator.userAgent,
  isSecureContext,
  uuid: crypto.randomUUID().length,
  importScriptsError,
});
