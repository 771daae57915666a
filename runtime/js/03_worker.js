// `Worker`: a dedicated worker on its own thread and JS runtime (see
// runtime/src/web_worker.rs). Messages go through an internal deno_web
// MessagePort entangled with the worker's, so `postMessage` clones and
// transfers exactly as MessagePort does (ArrayBuffers, MessagePorts,
// SharedArrayBuffers shared, not copied). An exception the worker did not
// handle arrives as an `error` event; if that is not cancelled either, it
// is reported in this realm as an uncaught exception, as Deno does.

(function () {
const { core, primordials } = __bootstrap;
const {
  op_worker_create,
  op_worker_recv_event,
  op_worker_terminate,
} = core.ops;
const {
  Error,
  SymbolFor,
  SymbolToStringTag,
} = primordials;
const webidl = core.loadExtScript("ext:deno_webidl/00_webidl.js");
const event = core.loadExtScript("ext:deno_web/02_event.js");
const { DOMException } = core.loadExtScript("ext:deno_web/01_dom_exception.js");
const { URL } = core.loadExtScript("ext:deno_web/00_url.js");
// Registers the MessagePort transferable the internal port is made from.
core.loadExtScript("ext:deno_web/13_message_port.js");
const { EventTarget, ErrorEvent, MessageEvent, defineEventHandler, setIsTrusted } = event;

webidl.converters.WorkerType = webidl.createEnumConverter("WorkerType", [
  "classic",
  "module",
]);
webidl.converters.RequestCredentials = webidl.createEnumConverter("RequestCredentials", [
  "omit",
  "same-origin",
  "include",
]);
webidl.converters.WorkerOptions = webidl.createDictionaryConverter("WorkerOptions", [
  { key: "type", converter: webidl.converters.WorkerType, defaultValue: "classic" },
  {
    key: "credentials",
    converter: webidl.converters.RequestCredentials,
    defaultValue: "same-origin",
  },
  { key: "name", converter: webidl.converters.DOMString, defaultValue: "" },
]);

// Relative script URLs resolve as fetch's do: against the calling module.
const { callerBaseUrl } = core.loadExtScript("ext:webaudio_run/00_fetch.js");

/** Re-dispatches what arrives on the internal port on the Worker. */
function forward(port, worker, type) {
  // Added through EventTarget's own method: MessagePort's override would
  // count it as a listener that keeps the port referenced.
  event.EventTargetPrototype.addEventListener.call(port, type, (e) => {
    const copy = new MessageEvent(type, { data: e.data, ports: e.ports });
    setIsTrusted(copy, true);
    worker.dispatchEvent(copy);
  });
}

class Worker extends EventTarget {
  #rid;
  #port;
  #terminated = false;

  constructor(scriptURL, options = undefined) {
    super();
    const prefix = "Failed to construct 'Worker'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    scriptURL = webidl.converters.USVString(scriptURL, prefix, "Argument 1");
    options = webidl.converters.WorkerOptions(options, prefix, "Argument 2");
    let url;
    try {
      url = new URL(scriptURL, callerBaseUrl()).href;
    } catch {
      throw new DOMException(`${prefix}: '${scriptURL}' is not a valid URL.`, "SyntaxError");
    }
    const { 0: rid, 1: portRid } = op_worker_create(
      url,
      options.type === "classic",
      options.name,
    );
    this.#rid = rid;
    this.#port = core.getTransferableResource("MessagePort").receive(portRid);
    forward(this.#port, this, "message");
    forward(this.#port, this, "messageerror");
    this.#port.start();
    this.#pollEvents();
  }

  async #pollEvents() {
    while (!this.#terminated) {
      const report = await op_worker_recv_event(this.#rid);
      if (report === null || this.#terminated) break;
      this.#handleError(report);
    }
    core.tryClose(this.#rid);
  }

  #handleError(report) {
    const errorEvent = new ErrorEvent("error", {
      cancelable: true,
      message: report.message,
      filename: report.filename,
      lineno: report.lineno,
      colno: report.colno,
    });
    setIsTrusted(errorEvent, true);
    if (!this.dispatchEvent(errorEvent)) return;
    // Not handled here either: this realm reports it, and unless its own
    // `error` listeners cancel it, it ends the program.
    const error = new Error(report.errorMessage ?? report.message);
    if (report.errorName) error.name = report.errorName;
    error.stack = report.stack ??
      `${error.name}: ${error.message}\n    at ${report.filename}:${report.lineno}:${report.colno}`;
    event.reportException(error);
  }

  postMessage(message, transferOrOptions = undefined) {
    webidl.assertBranded(this, WorkerPrototype);
    const prefix = "Failed to execute 'postMessage' on 'Worker'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    if (this.#terminated) return;
    if (arguments.length < 2) {
      this.#port.postMessage(message);
    } else {
      this.#port.postMessage(message, transferOrOptions);
    }
  }

  terminate() {
    webidl.assertBranded(this, WorkerPrototype);
    if (this.#terminated) return;
    this.#terminated = true;
    op_worker_terminate(this.#rid);
    this.#port.close();
    core.tryClose(this.#rid);
  }

  get [SymbolToStringTag]() {
    return "Worker";
  }

  [SymbolFor("Deno.privateCustomInspect")](inspect, inspectOptions) {
    return `Worker ${inspect({ onmessage: this.onmessage, onerror: this.onerror }, inspectOptions)}`;
  }
}
defineEventHandler(Worker.prototype, "error");
defineEventHandler(Worker.prototype, "message");
defineEventHandler(Worker.prototype, "messageerror");
webidl.configureInterface(Worker);
const WorkerPrototype = Worker.prototype;

return { Worker };
})();
