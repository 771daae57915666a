// A minimal testharness.js-compatible harness for the runner's own tests:
// the API subset the fixture pages use, the same status codes and result
// shapes, completion after the window's load event, harness errors from
// uncaught exceptions, and `explicit_timeout` / `timeout()`.
(function () {
  "use strict";
  const TEST = { PASS: 0, FAIL: 1, TIMEOUT: 2, NOTRUN: 3 };
  const HARNESS = { OK: 0, ERROR: 1, TIMEOUT: 2 };
  const tests = [];
  const completionCallbacks = [];
  const settings = { explicit_timeout: false, explicit_done: false };
  const status = { status: HARNESS.OK, message: null, stack: null };
  let loaded = false;
  let complete = false;

  class AssertionError extends Error {}

  function Test(name) {
    this.name = name;
    this.status = TEST.NOTRUN;
    this.message = null;
    this.stack = null;
    this.done_ = false;
    this.cleanups = [];
    tests.push(this);
  }
  Test.prototype.step = function (fn, thisObj, ...args) {
    if (this.done_) return undefined;
    try {
      return fn.apply(thisObj === undefined ? this : thisObj, args);
    } catch (e) {
      this.fail(e);
      return undefined;
    }
  };
  Test.prototype.step_func = function (fn, thisObj) {
    return (...args) => this.step(fn, thisObj, ...args);
  };
  Test.prototype.step_func_done = function (fn, thisObj) {
    return (...args) => {
      if (fn) this.step(fn, thisObj, ...args);
      this.done();
    };
  };
  Test.prototype.unreached_func = function (description) {
    return this.step_func(() => {
      throw new AssertionError(`Reached unreachable code: ${description}`);
    });
  };
  Test.prototype.step_timeout = function (fn, ms) {
    return setTimeout(this.step_func(fn), ms);
  };
  Test.prototype.add_cleanup = function (fn) {
    this.cleanups.push(fn);
  };
  Test.prototype.fail = function (e) {
    if (this.done_) return;
    this.status = TEST.FAIL;
    this.message = e instanceof Error ? `${e.name === "AssertionError" || e instanceof AssertionError ? "" : e.name + ": "}${e.message}` : String(e);
    this.stack = e && e.stack ? String(e.stack) : null;
    this.finish();
  };
  Test.prototype.done = function () {
    if (this.done_) return;
    if (this.status === TEST.NOTRUN) this.status = TEST.PASS;
    this.finish();
  };
  Test.prototype.finish = function () {
    this.done_ = true;
    for (const fn of this.cleanups) fn();
    maybeComplete();
  };

  function test(fn, name) {
    const t = new Test(name);
    t.step(fn, t, t);
    t.done();
    return t;
  }
  function async_test(fn, name) {
    if (typeof fn === "string") {
      name = fn;
      fn = null;
    }
    const t = new Test(name);
    if (fn) t.step(fn, t, t);
    return t;
  }
  let queue = Promise.resolve();
  function promise_test(fn, name) {
    const t = new Test(name);
    queue = queue.then(() => {
      let p;
      try {
        p = Promise.resolve(fn(t));
      } catch (e) {
        t.fail(e);
        return;
      }
      return p.then(() => t.done(), (e) => t.fail(e));
    });
    return t;
  }

  function assert(ok, message) {
    if (!ok) throw new AssertionError(message);
  }
  function fmt(v) {
    return typeof v === "string" ? JSON.stringify(v) : String(v);
  }
  function assert_true(v, d = "") {
    assert(v === true, `assert_true: ${d} expected true got ${fmt(v)}`);
  }
  function assert_false(v, d = "") {
    assert(v === false, `assert_false: ${d} expected false got ${fmt(v)}`);
  }
  function assert_equals(a, e, d = "") {
    assert(Object.is(a, e), `assert_equals: ${d} expected ${fmt(e)} but got ${fmt(a)}`);
  }
  function assert_not_equals(a, e, d = "") {
    assert(!Object.is(a, e), `assert_not_equals: ${d} got disallowed value ${fmt(a)}`);
  }
  function assert_array_equals(a, e, d = "") {
    assert(a.length === e.length, `assert_array_equals: ${d} lengths differ, expected ${e.length} got ${a.length}`);
    for (let i = 0; i < e.length; i++) {
      assert(Object.is(a[i], e[i]), `assert_array_equals: ${d} expected ${fmt(e[i])} but got ${fmt(a[i])} at index ${i}`);
    }
  }
  function assert_throws_js(ctor, fn, d = "") {
    try {
      fn();
    } catch (e) {
      assert(e instanceof ctor, `assert_throws_js: ${d} function threw ${e} not ${ctor.name}`);
      return;
    }
    throw new AssertionError(`assert_throws_js: ${d} function did not throw`);
  }
  function assert_unreached(d = "") {
    throw new AssertionError(`assert_unreached: Reached unreachable code: ${d}`);
  }

  function setup(options) {
    if (typeof options === "function") {
      options();
      return;
    }
    Object.assign(settings, options || {});
  }
  function done() {
    settings.explicit_done = false;
    maybeComplete(true);
  }
  function add_completion_callback(fn) {
    completionCallbacks.push(fn);
  }
  function timeout() {
    if (!settings.explicit_timeout) return;
    for (const t of tests) {
      if (!t.done_) {
        t.status = TEST.TIMEOUT;
        t.done_ = true;
      }
    }
    status.status = HARNESS.TIMEOUT;
    finishAll();
  }

  function maybeComplete(force) {
    if (complete || !loaded || (settings.explicit_done && !force)) return;
    if (tests.every((t) => t.done_)) finishAll();
  }
  function finishAll() {
    if (complete) return;
    complete = true;
    for (const t of tests) {
      if (!t.done_) {
        t.status = TEST.NOTRUN;
        t.done_ = true;
      }
    }
    const results = tests.map((t) => ({ name: t.name, status: t.status, message: t.message, stack: t.stack }));
    for (const fn of completionCallbacks) fn(results, status);
  }

  function harnessError(message, stack) {
    if (status.status === HARNESS.OK) {
      status.status = HARNESS.ERROR;
      status.message = message;
      status.stack = stack;
    }
  }
  addEventListener("error", (e) => harnessError(e.message, e.error && e.error.stack));
  addEventListener("unhandledrejection", (e) => harnessError(`Unhandled rejection: ${e.reason}`, null));
  addEventListener("load", () => {
    loaded = true;
    maybeComplete();
  });

  Object.assign(self, {
    test, async_test, promise_test, setup, done, timeout, add_completion_callback,
    assert_true, assert_false, assert_equals, assert_not_equals, assert_array_equals,
    assert_throws_js, assert_unreached,
  });
})();
