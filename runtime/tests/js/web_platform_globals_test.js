// The globals libraries probe before using Web Audio: isSecureContext,
// crossOriginIsolated, requestAnimationFrame, navigator and crypto.
import { assert, assertEquals, assertRejects, assertThrows, test } from "./harness.js";

test("isSecureContext and crossOriginIsolated are true, read-only attributes", () => {
  assertEquals(isSecureContext, true);
  assertEquals(crossOriginIsolated, true);
  for (const name of ["isSecureContext", "crossOriginIsolated"]) {
    const desc = Object.getOwnPropertyDescriptor(globalThis, name);
    assertEquals(typeof desc.get, "function", name);
    assertEquals(desc.set, undefined, name);
    assertThrows(() => {
      globalThis[name] = false;
    }, TypeError);
  }
  assertEquals(typeof SharedArrayBuffer, "function");
});

const FRAME_MS = 1000 / 60;
const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));

test("requestAnimationFrame: one timestamp per frame, the next request in the next frame", async () => {
  const seen = [];
  await new Promise((resolve) => {
    requestAnimationFrame((t) => seen.push(["a", t]));
    requestAnimationFrame((t) => {
      seen.push(["b", t]);
      requestAnimationFrame((t2) => {
        seen.push(["c", t2]);
        resolve();
      });
    });
  });
  assertEquals(seen.map((s) => s[0]).join(""), "abc");
  assertEquals(seen[0][1], seen[1][1], "callbacks of one frame share its timestamp");
  assert(seen[1][1] <= performance.now(), "the timestamp is on performance.now()'s clock");
  assert(
    Math.floor(seen[2][1] / FRAME_MS) > Math.floor(seen[1][1] / FRAME_MS),
    `a callback requested during a frame runs in a later 1/60 s frame (${seen[1][1]}, ${seen[2][1]})`,
  );
});

test("cancelAnimationFrame cancels, also from a callback of the same frame", async () => {
  const ran = [];
  const first = requestAnimationFrame(() => ran.push("cancelled before the frame"));
  assert(Number.isInteger(first) && first > 0);
  cancelAnimationFrame(first);
  let later;
  requestAnimationFrame(() => {
    ran.push("canceller");
    cancelAnimationFrame(later);
  });
  later = requestAnimationFrame(() => ran.push("cancelled in the frame"));
  await nextFrame();
  assertEquals(ran.join(","), "canceller");
  cancelAnimationFrame(123456);
});

test("requestAnimationFrame and cancelAnimationFrame check their arguments", () => {
  assertThrows(() => requestAnimationFrame(), TypeError);
  assertThrows(() => requestAnimationFrame({}), TypeError);
  assertThrows(() => cancelAnimationFrame(), TypeError);
});

test("navigator is a Navigator whose attributes live on the prototype", () => {
  assert(navigator instanceof Navigator);
  assertEquals(Object.prototype.toString.call(navigator), "[object Navigator]");
  assertThrows(() => new Navigator(), TypeError);
  assert(navigator.userAgent.startsWith("webaudio-run/"), navigator.userAgent);
  assertEquals(navigator.appCodeName, "Mozilla");
  assertEquals(navigator.product, "Gecko");
  assert(Number.isInteger(navigator.hardwareConcurrency) && navigator.hardwareConcurrency >= 1);
  assertEquals(navigator.onLine, true);
  assertEquals(navigator.cookieEnabled, false);
  assert(/^[a-z]{2,3}(-[A-Z0-9]+)?$/.test(navigator.language), navigator.language);
  assertEquals(navigator.languages[0], navigator.language);
  assertEquals(navigator.languages, navigator.languages, "the same array every time");
  assert(Object.isFrozen(navigator.languages));
  assertEquals(Object.hasOwn(navigator, "userAgent"), false);
  const getter = Object.getOwnPropertyDescriptor(Navigator.prototype, "userAgent").get;
  assertThrows(() => getter.call({}), TypeError);
  assertEquals(typeof WorkerNavigator, "undefined", "WorkerNavigator is a worker's");
});

test("crypto.getRandomValues fills integer arrays of up to 65536 bytes", () => {
  const bytes = new Uint8Array(64);
  assertEquals(crypto.getRandomValues(bytes), bytes);
  assert(bytes.some((b) => b !== 0));
  const words = crypto.getRandomValues(new Uint32Array(16384));
  assertEquals(words.length, 16384);
  assertThrows(() => crypto.getRandomValues(new Uint8Array(65537)), DOMException, "QuotaExceededError");
  assertThrows(() => crypto.getRandomValues(new Float32Array(4)), DOMException, "TypeMismatchError");
  assertThrows(() => crypto.getRandomValues(), TypeError);
});

test("crypto.randomUUID gives version 4 UUIDs", () => {
  const uuid = crypto.randomUUID();
  assert(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(uuid), uuid);
  assert(uuid !== crypto.randomUUID());
});

test("crypto.subtle digests, signs and verifies", async () => {
  assert(crypto instanceof Crypto);
  assert(crypto.subtle instanceof SubtleCrypto);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode("abc"));
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  assertEquals(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const key = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  assert(key instanceof CryptoKey);
  const data = new TextEncoder().encode("webaudio");
  const signature = await crypto.subtle.sign("HMAC", key, data);
  assertEquals(signature.byteLength, 32);
  assertEquals(await crypto.subtle.verify("HMAC", key, signature, data), true);
  await assertRejects(crypto.subtle.digest("MD5", data), DOMException, "NotSupportedError");
});
