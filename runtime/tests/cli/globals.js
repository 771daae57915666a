const names = [
  "console", "Event", "EventTarget", "CustomEvent", "ErrorEvent", "DOMException",
  "AbortController", "AbortSignal", "setTimeout", "setInterval", "clearTimeout",
  "clearInterval", "queueMicrotask", "structuredClone", "MessageChannel",
  "MessagePort", "URL", "URLSearchParams", "TextEncoder", "TextDecoder", "atob",
  "btoa", "Blob", "performance", "fetch", "Response", "Headers", "WebAudioRun",
  "isSecureContext", "crossOriginIsolated", "requestAnimationFrame",
  "cancelAnimationFrame", "navigator", "Navigator", "crypto", "Crypto", "CryptoKey",
  "SubtleCrypto", "Worker",
];
const missing = names.filter((n) => !(n in globalThis));
console.log("missing:", missing);
const enumerable = names.filter((n) => Object.getOwnPropertyDescriptor(globalThis, n)?.enumerable);
console.log("enumerable:", enumerable);
console.log(self === globalThis, window === globalThis, globalThis instanceof EventTarget);
console.log(typeof Deno, typeof __bootstrap);
console.log(Object.keys(globalThis));
