// A tiny test harness for the JS API tests: `test(name, fn)` registers a
// test (sync or async); they run in order after the module is evaluated and
// the last line is "N passed, M failed". A failure exits with code 1.

const tests = [];
let scheduled = false;

export function test(name, fn) {
  tests.push({ name, fn });
  if (!scheduled) {
    scheduled = true;
    setTimeout(runAll, 0);
  }
}

async function runAll() {
  let passed = 0;
  let failed = 0;
  for (const { name, fn } of tests) {
    try {
      await fn();
      passed++;
      console.log(`ok   ${name}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${name}\n     ${e?.stack ?? e}`);
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  if (failed > 0) WebAudioRun.exit(1);
}

function show(v) {
  try {
    return typeof v === "string" ? JSON.stringify(v) : String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

export class AssertionError extends Error {}

export function assert(cond, message = "assertion failed") {
  if (!cond) throw new AssertionError(message);
}

export function assertEquals(actual, expected, message = "") {
  if (!Object.is(actual, expected)) {
    throw new AssertionError(`${message ? message + ": " : ""}expected ${show(expected)}, got ${show(actual)}`);
  }
}

export function assertClose(actual, expected, tolerance, message = "") {
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new AssertionError(`${message ? message + ": " : ""}expected ${expected} ± ${tolerance}, got ${actual}`);
  }
}

export function assertArrayEquals(actual, expected, message = "") {
  assertEquals(actual.length, expected.length, `${message} length`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      throw new AssertionError(`${message ? message + ": " : ""}at index ${i} expected ${expected[i]}, got ${actual[i]}`);
    }
  }
}

/** Checks that `fn` throws an exception of class `ErrorClass` (and DOMException `name`). */
export function assertThrows(fn, ErrorClass, name = undefined) {
  try {
    fn();
  } catch (e) {
    checkError(e, ErrorClass, name);
    return e;
  }
  throw new AssertionError(`expected ${name ?? ErrorClass.name} to be thrown, but nothing was`);
}

export async function assertRejects(promiseOrFn, ErrorClass, name = undefined) {
  const promise = typeof promiseOrFn === "function" ? promiseOrFn() : promiseOrFn;
  if (!(promise instanceof Promise)) throw new AssertionError("expected a promise");
  try {
    await promise;
  } catch (e) {
    checkError(e, ErrorClass, name);
    return e;
  }
  throw new AssertionError(`expected a rejection with ${name ?? ErrorClass.name}`);
}

function checkError(e, ErrorClass, name) {
  if (!(e instanceof ErrorClass)) {
    throw new AssertionError(`expected ${ErrorClass.name}, got ${e?.constructor?.name}: ${e?.message}`);
  }
  if (name !== undefined && e.name !== name) {
    throw new AssertionError(`expected ${name}, got ${e.name}: ${e.message}`);
  }
}

/** Renders `build(ctx)` offline and returns the channels. */
export async function render({ channels = 1, length = 128, sampleRate = 48000 }, build) {
  const ctx = new OfflineAudioContext(channels, length, sampleRate);
  await build(ctx);
  const buffer = await ctx.startRendering();
  const out = [];
  for (let c = 0; c < buffer.numberOfChannels; c++) out.push(buffer.getChannelData(c));
  return out;
}
