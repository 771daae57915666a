// The global object reports uncaught exceptions and unhandled rejections as
// a browser does ("error", "unhandledrejection", "rejectionhandled" events
// and their on* attributes; preventDefault() keeps the process running),
// and dispatchEvent checks its argument as WebIDL says.
import { assert, assertEquals, assertThrows, test } from "./harness.js";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The events of `type` dispatched on the global while `during` runs. */
async function collect(type, during, { prevent = true } = {}) {
  const events = [];
  const listener = (event) => {
    events.push(event);
    if (prevent) event.preventDefault();
  };
  addEventListener(type, listener);
  try {
    await during();
    await sleep(20);
  } finally {
    removeEventListener(type, listener);
  }
  return events;
}

test("an exception thrown by a timer is an ErrorEvent on the global", async () => {
  let thrown;
  const events = await collect("error", () => {
    setTimeout(() => {
      throw (thrown = new Error("late"));
    });
  });
  assertEquals(events.length, 1);
  const [event] = events;
  assert(event instanceof ErrorEvent);
  assertEquals(event.error, thrown);
  assertEquals(event.message, "Uncaught Error: late");
  assertEquals(event.filename, import.meta.url);
  assertEquals(event.lineno, 30);
  assertEquals(event.colno, 23);
  assert(event.cancelable && event.defaultPrevented);
});

test("an exception thrown by an event listener is reported on the global", async () => {
  const target = new EventTarget();
  target.addEventListener("ping", () => {
    throw new TypeError("listener failed");
  });
  let returned;
  const events = await collect("error", () => {
    returned = target.dispatchEvent(new Event("ping"));
  });
  assertEquals(returned, true);
  assertEquals(events.length, 1);
  assertEquals(events[0].error.message, "listener failed");
});

test("onerror gets (message, filename, lineno, colno, error); true cancels", async () => {
  const calls = [];
  globalThis.onerror = (...args) => {
    calls.push(args);
    return true;
  };
  try {
    let thrown;
    setTimeout(() => {
      throw (thrown = new RangeError("for onerror"));
    });
    await sleep(20);
    assertEquals(calls.length, 1);
    const [message, filename, lineno, colno, error] = calls[0];
    assertEquals(message, "Uncaught RangeError: for onerror");
    assertEquals(filename, import.meta.url);
    assertEquals(lineno, 67);
    assertEquals(colno, 23);
    assertEquals(error, thrown);
  } finally {
    globalThis.onerror = null;
  }
  assertEquals(globalThis.onerror, null);
});

test("an unhandled rejection is a PromiseRejectionEvent on the global", async () => {
  let rejected;
  const events = await collect("unhandledrejection", () => {
    rejected = Promise.reject(new Error("nobody listens"));
  });
  assertEquals(events.length, 1);
  const [event] = events;
  assert(event instanceof PromiseRejectionEvent);
  assertEquals(event.promise, rejected);
  assertEquals(event.reason.message, "nobody listens");
  assert(event.cancelable && event.defaultPrevented);
});

test("onunhandledrejection sees unhandled rejections", async () => {
  const reasons = [];
  globalThis.onunhandledrejection = (event) => {
    reasons.push(event.reason);
    event.preventDefault();
  };
  try {
    Promise.reject(42);
    await sleep(20);
  } finally {
    globalThis.onunhandledrejection = null;
  }
  assertEquals(reasons.length, 1);
  assertEquals(reasons[0], 42);
});

test("a rejection handled late fires rejectionhandled", async () => {
  let rejected;
  const unhandled = await collect("unhandledrejection", () => {
    rejected = Promise.reject("late handler");
  });
  assertEquals(unhandled.length, 1);
  const handled = await collect("rejectionhandled", () => {
    rejected.catch(() => {});
  }, { prevent: false });
  assertEquals(handled.length, 1);
  assert(handled[0] instanceof PromiseRejectionEvent);
  assertEquals(handled[0].promise, rejected);
  assertEquals(handled[0].reason, "late handler");
});

test("dispatchEvent with something that is not an Event throws a TypeError", () => {
  const notEvents = [
    { type: "x" },
    Object.create(Event.prototype),
    new Proxy(new Event("x"), {}),
    null,
    undefined,
    "x",
  ];
  for (const target of [globalThis, new EventTarget()]) {
    for (const value of notEvents) {
      const error = assertThrows(() => target.dispatchEvent(value), TypeError);
      assertEquals(
        error.message,
        "Failed to execute 'dispatchEvent' on 'EventTarget': parameter 1 is not of type 'Event'.",
      );
    }
    assertThrows(() => target.dispatchEvent(), TypeError);
  }
  assertEquals(EventTarget.prototype.dispatchEvent.name, "dispatchEvent");
  assertEquals(EventTarget.prototype.dispatchEvent.length, 1);
  const target = new EventTarget();
  let heard = 0;
  target.addEventListener("x", () => heard++);
  assertEquals(target.dispatchEvent(new CustomEvent("x")), true);
  assertEquals(heard, 1);
});
