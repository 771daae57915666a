// Web Workers: module and classic workers on their own threads, messages
// with transfer and SharedArrayBuffer, errors, close() and terminate().
import { assert, assertEquals, assertThrows, test } from "./harness.js";

const here = (path) => new URL(path, import.meta.url);

/** The next `count` messages of `worker`. */
function messages(worker, count = 1) {
  return new Promise((resolve, reject) => {
    const got = [];
    worker.onmessage = (e) => {
      got.push(e.data);
      if (got.length === count) resolve(count === 1 ? got[0] : got);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      reject(new Error(`worker error: ${e.message}`));
    };
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test("a module worker echoes messages (structured clone)", async () => {
  const worker = new Worker(here("./workers/echo.js"), { type: "module" });
  assert(worker instanceof EventTarget);
  assertEquals(Object.prototype.toString.call(worker), "[object Worker]");
  const reply = messages(worker);
  worker.postMessage({ map: new Map([[1, "one"]]), when: new Date(0), list: [1, 2, 3] });
  const data = await reply;
  assertEquals(data.map.get(1), "one");
  assertEquals(data.when.getTime(), 0);
  assertEquals(data.list.join(), "1,2,3");
  worker.terminate();
});

test("a dedicated worker's global scope has the web globals and no window-only ones", async () => {
  const worker = new Worker(here("./workers/scope.js"), { type: "module", name: "probe" });
  const report = await messages(worker);
  const t = report.types;
  for (const windowOnly of ["AudioContext", "OfflineAudioContext", "AudioBuffer", "document", "window"]) {
    assertEquals(t[windowOnly], "undefined", windowOnly);
  }
  for (const shared of ["fetch", "Worker", "crypto", "navigator", "requestAnimationFrame",
    "MessageChannel", "structuredClone", "setTimeout", "location", "importScripts", "WebAudioRun"]) {
    assert(t[shared] !== "undefined", `${shared} is missing`);
  }
  assertEquals(report.tag, "[object DedicatedWorkerGlobalScope]");
  assert(report.selfIsGlobal && report.isDedicated && report.isWorkerScope);
  assertEquals(report.name, "probe");
  assertEquals(report.href, here("./workers/scope.js").href);
  assertEquals(report.navigator, "string");
  assertEquals(report.isSecureContext, true);
  assertEquals(report.uuid, 36);
  assertEquals(report.importScriptsError, "TypeError", "module workers have no importScripts");
});

test("a module worker imports modules relative to itself", async () => {
  const worker = new Worker(here("./workers/imports.js"), { type: "module" });
  assertEquals(await messages(worker), 5);
});

test("a worker starts a nested worker from a URL relative to itself", async () => {
  const worker = new Worker(here("./workers/nested.js"), { type: "module" });
  assertEquals(await messages(worker), "inner says hi");
});

test("a classic worker from a blob: URL (Tone.js's clock)", async () => {
  const source = `
    let interval = 5;
    self.onmessage = (msg) => { interval = parseInt(msg.data); };
    function tick() {
      setTimeout(tick, interval);
      self.postMessage("tick");
    }
    tick();
    var leaked = "classic scripts put their vars on the global";
    self.postMessage(self.leaked);
  `;
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  const worker = new Worker(url);
  const got = await messages(worker, 4);
  worker.terminate();
  URL.revokeObjectURL(url);
  assertEquals(got.filter((m) => m === "tick").length, 3);
  assert(got.includes("classic scripts put their vars on the global"));
});

test("importScripts in a classic worker runs scripts in its global scope", async () => {
  const lib = `data:text/javascript,${encodeURIComponent("var triple = (x) => 3 * x;")}`;
  const source = `importScripts(${JSON.stringify(lib)}); postMessage(triple(7));`;
  const worker = new Worker(`data:text/javascript,${encodeURIComponent(source)}`);
  assertEquals(await messages(worker), 21);
});

test("postMessage transfers an ArrayBuffer and shares a SharedArrayBuffer", async () => {
  const worker = new Worker(here("./workers/shared.js"), { type: "module" });
  const buffer = new ArrayBuffer(1024);
  const shared = new SharedArrayBuffer(16);
  const reply = messages(worker);
  worker.postMessage({ buffer, shared }, [buffer]);
  assertEquals(buffer.byteLength, 0, "the sender's buffer is detached");
  const data = await reply;
  assertEquals(data.size, 1024);
  assertEquals(data.buffer.byteLength, 1024, "transferred back");
  assertEquals([...new Int32Array(shared)].join(), "0,10,20,30", "written by the worker");
  assertThrows(() => worker.postMessage(buffer, [buffer]), DOMException, "DataCloneError");
  worker.terminate();
});

test("a MessagePort can be transferred to a worker", async () => {
  const worker = new Worker(here("./workers/echo.js"), { type: "module" });
  const { port1, port2 } = new MessageChannel();
  const viaPort = new Promise((resolve) => {
    port1.onmessage = (e) => resolve(e.data);
  });
  const reply = new Promise((resolve) => {
    worker.onmessage = (e) => {
      e.ports[0].postMessage("through the transferred port");
      resolve();
    };
  });
  worker.postMessage("port", [port2]);
  await reply;
  assertEquals(await viaPort, "through the transferred port");
  port1.close();
  worker.terminate();
});

test("terminate() stops a worker busy in an endless loop", async () => {
  const worker = new Worker(here("./workers/busy.js"), { type: "module" });
  assertEquals(await messages(worker), "started");
  worker.terminate();
  worker.terminate();
  worker.postMessage("ignored after terminate");
});

test("terminating a worker terminates the workers it started", async () => {
  const worker = new Worker(here("./workers/parent_of_ticker.js"), { type: "module" });
  const shared = new SharedArrayBuffer(4);
  const count = new Int32Array(shared);
  const started = messages(worker);
  worker.postMessage(shared);
  assertEquals(await started, "ticking");
  while (Atomics.load(count, 0) === 0) await sleep(5);
  worker.terminate();
  await sleep(100);
  const after = Atomics.load(count, 0);
  await sleep(100);
  assertEquals(Atomics.load(count, 0), after, "the inner worker stopped with its parent");
});

test("an unhandled exception in a worker fires an ErrorEvent on the Worker", async () => {
  const worker = new Worker(here("./workers/throws.js"), { type: "module" });
  const event = await new Promise((resolve) => {
    worker.onerror = (e) => {
      e.preventDefault();
      resolve(e);
    };
  });
  assert(event instanceof ErrorEvent);
  assert(event.message.includes("RangeError: boom in worker"), event.message);
  assert(event.filename.endsWith("workers/throws.js"), event.filename);
  assertEquals(event.lineno, 3);
});

test("a worker's own error listener handles its exceptions", async () => {
  const worker = new Worker(here("./workers/handles_own_error.js"), { type: "module" });
  let parentSawError = false;
  worker.addEventListener("error", (e) => {
    e.preventDefault();
    parentSawError = true;
  });
  const got = messages(worker, 2);
  const first = await new Promise((resolve) => {
    worker.addEventListener("message", (e) => resolve(e.data), { once: true });
  });
  worker.postMessage("ping");
  const [handled, running] = await got;
  assertEquals(first, handled);
  assert(handled.startsWith("handled: ") && handled.includes("timer failure"), handled);
  assertEquals(running, "still running: ping");
  assertEquals(parentSawError, false);
  worker.terminate();
});

test("close() ends the worker after the running task", async () => {
  const worker = new Worker(here("./workers/closes.js"), { type: "module" });
  const got = [];
  await new Promise((resolve) => {
    worker.onmessage = (e) => {
      got.push(e.data);
      if (got.length === 2) resolve();
    };
  });
  // Time for the timer's message, had the worker not closed.
  await sleep(100);
  assertEquals(got.join(), "a,b");
});

test("Worker checks its arguments", () => {
  assertThrows(() => new Worker(), TypeError);
  assertThrows(() => new Worker("./workers/echo.js", { type: "shared" }), TypeError);
  assertThrows(() => new Worker("http://[::1"), DOMException, "SyntaxError");
  assertThrows(() => new Worker("https://example.com/w.js"), DOMException, "NotSupportedError");
  assertThrows(() => Worker(here("./workers/echo.js")), TypeError);
});

test("a worker that fails to load reports an error event", async () => {
  const worker = new Worker(here("./workers/does_not_exist.js"), { type: "module" });
  const event = await new Promise((resolve) => {
    worker.onerror = (e) => {
      e.preventDefault();
      resolve(e);
    };
  });
  assert(event.message.includes("does_not_exist.js"), event.message);
});
