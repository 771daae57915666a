// `requestAnimationFrame` and `cancelAnimationFrame` as a browser runs them
// for a page with no display: frames about 60 times a second, aligned to
// multiples of 1000/60 ms of `performance.now()`. Every callback requested
// before a frame runs in that frame with the same DOMHighResTimeStamp (the
// frame's start); one requested during a frame runs in the next. A pending
// callback keeps the process alive, as a timer does.

(function () {
const { core, primordials } = __bootstrap;
const {
  MathCeil,
  MathFloor,
  MapPrototypeDelete,
  MapPrototypeGet,
  MapPrototypeHas,
  MapPrototypeSet,
  MapPrototypeGetSize,
  SafeMap,
  TypeError,
} = primordials;
const webidl = core.loadExtScript("ext:deno_webidl/00_webidl.js");
const { reportException } = core.loadExtScript("ext:deno_web/02_event.js");
// Called unbound: they check that `this` is the global or undefined.
const { setTimeout, clearTimeout } = core.loadExtScript("ext:deno_web/02_timers.js");
const { performance } = core.loadExtScript("ext:deno_web/15_performance.js");

const FRAME_MS = 1000 / 60;

/** Callbacks for the next frame, by handle. */
let requested = new SafeMap();
/** Callbacks of the frame being run (cancelling one there skips it). */
let running = null;
let lastHandle = 0;
let timer = null;

function scheduleFrame() {
  const now = performance.now();
  const next = (MathFloor(now / FRAME_MS) + 1) * FRAME_MS;
  // Whole milliseconds, rounded up: a frame never starts before its time.
  timer = setTimeout(runFrame, MathCeil(next - now));
}

function runFrame() {
  timer = null;
  const timestamp = performance.now();
  running = requested;
  requested = new SafeMap();
  for (const { 0: handle, 1: callback } of running) {
    if (!MapPrototypeHas(running, handle)) continue;
    try {
      callback(timestamp);
    } catch (error) {
      reportException(error);
    }
  }
  running = null;
  if (MapPrototypeGetSize(requested) > 0 && timer === null) scheduleFrame();
}

function requestAnimationFrame(callback) {
  const prefix = "Failed to execute 'requestAnimationFrame' on 'Window'";
  webidl.requiredArguments(arguments.length, 1, prefix);
  if (typeof callback !== "function") {
    throw new TypeError(`${prefix}: The callback provided as parameter 1 is not a function.`);
  }
  const handle = ++lastHandle;
  MapPrototypeSet(requested, handle, callback);
  if (timer === null && running === null) scheduleFrame();
  return handle;
}

function cancelAnimationFrame(handle) {
  const prefix = "Failed to execute 'cancelAnimationFrame' on 'Window'";
  webidl.requiredArguments(arguments.length, 1, prefix);
  handle = webidl.converters["unsigned long"](handle, prefix, "Argument 1");
  if (running !== null && MapPrototypeGet(running, handle) !== undefined) {
    MapPrototypeDelete(running, handle);
  }
  MapPrototypeDelete(requested, handle);
  if (MapPrototypeGetSize(requested) === 0 && timer !== null) {
    clearTimeout(timer);
    timer = null;
  }
}

return { requestAnimationFrame, cancelAnimationFrame };
})();
