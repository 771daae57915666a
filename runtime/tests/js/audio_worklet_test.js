import {
  assert,
  assertArrayEquals,
  AssertionError,
  assertEquals,
  assertRejects,
  assertThrows,
  test,
} from "./harness.js";
import { IMPORTED_LEVEL } from "./worklet/lib/constant.js";

const SR = 48000;
const QUANTUM = 128;

// Read before anything touches Blob (see the createObjectURL test).
const createObjectURLAtStart = typeof URL.createObjectURL;

/** A queue of the messages a port receives, from now on. */
function inbox(port) {
  const queued = [];
  const waiting = [];
  port.onmessage = (e) => {
    const w = waiting.shift();
    if (w) w(e.data);
    else queued.push(e.data);
  };
  return {
    /** The next message, or a rejection after `ms` milliseconds. */
    next(ms = 5000) {
      if (queued.length > 0) return Promise.resolve(queued.shift());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(deliver), 1);
          reject(new AssertionError(`no message within ${ms} ms`));
        }, ms);
        const deliver = (data) => {
          clearTimeout(timer);
          resolve(data);
        };
        waiting.push(deliver);
      });
    },
    /** The messages received so far and not yet taken. */
    get pending() {
      return queued.length;
    },
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The first index where two arrays differ, or -1. */
function firstDifference(a, b) {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) return i;
  }
  return -1;
}

function assertSamplesEqual(actual, expected, message) {
  const i = firstDifference(actual, expected);
  if (i !== -1) {
    throw new AssertionError(
      `${message}: lengths ${actual.length}/${expected.length}, first difference at frame ${i}: ${actual[i]} !== ${expected[i]}`,
    );
  }
}

async function offlineWith(module, { channels = 1, length = QUANTUM * 4, sampleRate = SR } = {}) {
  const ctx = new OfflineAudioContext(channels, length, sampleRate);
  await ctx.audioWorklet.addModule(module);
  return ctx;
}

// --- 1. addModule ---

test("addModule with a relative path resolves after the module ran", async () => {
  const ctx = new OfflineAudioContext(1, QUANTUM, SR);
  assertThrows(() => new AudioWorkletNode(ctx, "basic"), DOMException, "InvalidStateError");
  const result = await ctx.audioWorklet.addModule("./worklet/basic.js");
  assertEquals(result, undefined);
  const node = new AudioWorkletNode(ctx, "basic");
  assert(node instanceof AudioWorkletNode && node instanceof AudioNode);
  assert(ctx.audioWorklet instanceof AudioWorklet && ctx.audioWorklet instanceof Worklet);
  assert(ctx.audioWorklet === ctx.audioWorklet, "audioWorklet is one object per context");
});

test("addModule with a file: URL, and a module that imports another", async () => {
  const ctx = new OfflineAudioContext(1, QUANTUM * 2, SR);
  const url = new URL("./worklet/basic.js", import.meta.url).href;
  assert(url.startsWith("file:"), url);
  await ctx.audioWorklet.addModule(url);
  new AudioWorkletNode(ctx, "basic");
  // A URL object is stringified too; static imports resolve against the module.
  await ctx.audioWorklet.addModule(new URL("./worklet/imports.js", import.meta.url));
  new AudioWorkletNode(ctx, "imported-level").connect(ctx.destination);
  const out = (await ctx.startRendering()).getChannelData(0);
  assert(out.every((v) => v === Math.fround(IMPORTED_LEVEL)), `output ${out[0]} is not ${IMPORTED_LEVEL}`);
});

test("addModule with a blob: URL", async () => {
  const ctx = new OfflineAudioContext(1, QUANTUM * 2, SR);
  const level = 0.171875;
  const source = `registerProcessor("from-blob", class extends AudioWorkletProcessor {
    process(inputs, outputs) { outputs[0][0].fill(${level}); return true; }
  });`;
  const blob = new Blob([source], { type: "text/javascript" });
  const url = URL.createObjectURL(blob);
  assert(url.startsWith("blob:"), url);
  await ctx.audioWorklet.addModule(url);
  new AudioWorkletNode(ctx, "from-blob").connect(ctx.destination);
  URL.revokeObjectURL(url);
  // A revoked blob URL can no longer be fetched.
  await assertRejects(ctx.audioWorklet.addModule(url), DOMException, "AbortError");
  const out = (await ctx.startRendering()).getChannelData(0);
  assert(out.every((v) => v === level), `output ${out[0]} is not ${level}`);
});

test("URL.createObjectURL exists before Blob is first used", () => {
  // URL.createObjectURL(new Blob([source])) reads URL.createObjectURL before
  // it evaluates `new Blob`: it must not depend on Blob having been loaded.
  assertEquals(createObjectURLAtStart, "function");
});

test("the same module in two contexts runs in two separate scopes", async () => {
  const a = new OfflineAudioContext(1, QUANTUM, SR);
  const b = new OfflineAudioContext(1, QUANTUM, SR);
  await a.audioWorklet.addModule("./worklet/basic.js");
  assertThrows(() => new AudioWorkletNode(b, "basic"), DOMException, "InvalidStateError");
  // Registering "basic" again in b's scope is no duplicate.
  await b.audioWorklet.addModule("./worklet/basic.js");
  new AudioWorkletNode(b, "basic");
});

test("addModule rejections: missing file, syntax error, invalid URL, no argument", async () => {
  const ctx = new OfflineAudioContext(1, QUANTUM, SR);
  const worklet = ctx.audioWorklet;
  await assertRejects(worklet.addModule("./worklet/does_not_exist.js"), DOMException, "AbortError");
  const syntax = await assertRejects(worklet.addModule("./worklet/syntax_error.js"), SyntaxError);
  assert(!(syntax instanceof DOMException), "a parse error is the script's own SyntaxError");
  await assertRejects(worklet.addModule("http://["), DOMException, "SyntaxError");
  await assertRejects(worklet.addModule(), TypeError);
  await assertRejects(
    worklet.addModule("./worklet/basic.js", { credentials: "bogus" }),
    TypeError,
  );
  // Nothing was registered by any of them, and the worklet still works.
  assertThrows(() => new AudioWorkletNode(ctx, "never"), DOMException, "InvalidStateError");
  await worklet.addModule("./worklet/basic.js");
  new AudioWorkletNode(ctx, "basic");
  // A brand check: addModule on something that is not a Worklet.
  await assertRejects(Worklet.prototype.addModule.call({}, "./worklet/basic.js"), TypeError);
});

test("an exception while a module evaluates is reported: addModule resolves", async () => {
  const ctx = new OfflineAudioContext(1, QUANTUM, SR);
  await ctx.audioWorklet.addModule("./worklet/throws_on_eval.js");
  new AudioWorkletNode(ctx, "registered-before-throw");
  assertThrows(
    () => new AudioWorkletNode(ctx, "registered-after-throw"),
    DOMException,
    "InvalidStateError",
  );
});

// --- 2. registerProcessor and the AudioWorkletGlobalScope ---

test("registerProcessor checks, and what the AudioWorkletGlobalScope has", async () => {
  const ctx = new OfflineAudioContext(1, QUANTUM, 44100);
  await ctx.audioWorklet.addModule("./worklet/registration_checks.js");
  const port = ctx.audioWorklet.port;
  assert(port instanceof MessagePort);
  const box = inbox(port);
  port.postMessage("report");
  const r = await box.next();
  port.close();
  const NSE = "DOMException:NotSupportedError";
  const ISE = "DOMException:InvalidStateError";
  const TE = "TypeError:TypeError";
  const expected = {
    emptyName: NSE,
    emptyNameArrow: NSE, // the name is checked before IsConstructor
    first: "ok",
    duplicate: NSE,
    duplicateArrow: NSE,
    notCallableObject: TE,
    notCallableNumber: TE,
    arrow: TE,
    method: TE,
    asyncFunction: TE,
    duplicateParams: NSE,
    defaultAboveMax: ISE,
    defaultBelowMin: ISE,
    nanDefault: TE,
    infiniteDefault: TE,
    missingName: TE,
    badRate: TE,
    notIterable: TE,
    validParams: "ok",
    directConstruction: TE,
    directConstructionSubclass: TE,
  };
  for (const [key, value] of Object.entries(expected)) assertEquals(r[key], value, key);
  assertEquals(r.descriptorsRead, true, "parameterDescriptors read at registration");
  assertArrayEquals(r.absent, [], "globals that must not be in the scope");
  assertEquals(r.present.length, 10, `globals found: ${r.present}`);
  assertEquals(r.scope.isAudioWorkletGlobalScope, true);
  assertEquals(r.scope.sampleRate, 44100);
  assertEquals(r.scope.currentFrame, 0);
  assertEquals(r.scope.currentTime, 0);
  assertEquals(r.scope.renderQuantumSize, QUANTUM);
  assertEquals(r.scope.portIsMessagePort, true);
  assertEquals(r.scope.textEncoderWorks, true);
  assertEquals(r.scope.registerProcessorType, "function");
  // The failed registrations registered nothing; the valid ones did.
  new AudioWorkletNode(ctx, "checked");
  const valid = new AudioWorkletNode(ctx, "valid-params");
  assertEquals(valid.parameters.get("s").defaultValue, 3);
  for (const name of ["", "not-callable", "arrow", "method", "duplicate-params", "default-above-max",
    "default-below-min", "nan-default", "infinite-default", "missing-name", "bad-rate", "not-iterable"]) {
    assertThrows(() => new AudioWorkletNode(ctx, name), DOMException, "InvalidStateError");
  }
});

// --- 3. AudioWorkletNode constructor ---

test("AudioWorkletNode constructor exceptions", async () => {
  const ctx = await offlineWith("./worklet/options.js");
  assertThrows(() => new AudioWorkletNode(ctx, "no-such-processor"), DOMException, "InvalidStateError");
  assertThrows(() => new AudioWorkletNode(ctx), TypeError);
  assertThrows(() => new AudioWorkletNode({}, "options-echo"), TypeError);
  assertThrows(() => AudioWorkletNode(ctx, "options-echo"), TypeError);
  const make = (options) => () => new AudioWorkletNode(ctx, "options-echo", options);
  assertThrows(make({ numberOfInputs: 0, numberOfOutputs: 0 }), DOMException, "NotSupportedError");
  assertThrows(make({ outputChannelCount: [0] }), DOMException, "NotSupportedError");
  assertThrows(make({ outputChannelCount: [33] }), DOMException, "NotSupportedError");
  assertThrows(make({ numberOfOutputs: 2, outputChannelCount: [1, 0] }), DOMException, "NotSupportedError");
  assertThrows(make({ outputChannelCount: [1, 1] }), DOMException, "IndexSizeError");
  assertThrows(make({ numberOfOutputs: 2, outputChannelCount: [1] }), DOMException, "IndexSizeError");
  assertThrows(make({ channelCount: 0 }), DOMException, "NotSupportedError");
  assertThrows(make({ channelCount: 33 }), DOMException, "NotSupportedError");
  assertThrows(make({ channelCountMode: "bogus" }), TypeError);
  assertThrows(make({ processorOptions: 5 }), TypeError);
  assertThrows(make({ parameterData: { gain: "not a number" } }), TypeError);
  // Valid edge cases construct.
  new AudioWorkletNode(ctx, "options-echo", { numberOfInputs: 0, outputChannelCount: [32] });
  new AudioWorkletNode(ctx, "options-echo", { numberOfOutputs: 0 });
  new AudioWorkletNode(ctx, "options-echo", { numberOfOutputs: 0, outputChannelCount: [] });
});

// (MessagePort.postMessage of a function or a nested Symbol is deno_web's
// serializer on QuickJS, which throws a TypeError or lets the Symbol
// through; see the README's known problems.)
test("uncloneable processorOptions throw DataCloneError", async () => {
  const ctx = await offlineWith("./worklet/options.js");
  const node = new AudioWorkletNode(ctx, "options-echo");
  const cases = {
    "processorOptions with a method": () => new AudioWorkletNode(ctx, "options-echo", { processorOptions: { f() {} } }),
    "processorOptions with a nested arrow function": () =>
      new AudioWorkletNode(ctx, "options-echo", { processorOptions: { list: [() => 1] } }),
    "processorOptions with a Symbol value": () =>
      new AudioWorkletNode(ctx, "options-echo", { processorOptions: { s: Symbol("x") } }),
    "processorOptions with a nested Symbol": () =>
      new AudioWorkletNode(ctx, "options-echo", { processorOptions: { deep: [{ s: Symbol("y") }] } }),
  };
  const wrong = [];
  for (const [label, fn] of Object.entries(cases)) {
    try {
      fn();
      wrong.push(`${label}: nothing thrown`);
    } catch (e) {
      if (!(e instanceof DOMException) || e.name !== "DataCloneError") {
        wrong.push(`${label}: ${e?.constructor?.name} ${e?.name}: ${e?.message}`);
      }
    }
  }
  node.port.close();
  ctx.audioWorklet.port.close();
  assert(wrong.length === 0, `expected DataCloneError:\n       ${wrong.join("\n       ")}`);
});

test("AudioWorkletNode reflects its options", async () => {
  const ctx = await offlineWith("./worklet/options.js");
  const plain = new AudioWorkletNode(ctx, "options-echo");
  assertEquals(plain.numberOfInputs, 1);
  assertEquals(plain.numberOfOutputs, 1);
  assertEquals(plain.channelCount, 2);
  assertEquals(plain.channelCountMode, "max");
  assertEquals(plain.channelInterpretation, "speakers");
  assertEquals(plain.onprocessorerror, null);
  assert(plain.port instanceof MessagePort);
  assert(plain.port === plain.port);
  assert(plain.context === ctx);
  const n = new AudioWorkletNode(ctx, "options-echo", {
    numberOfInputs: 3,
    numberOfOutputs: 2,
    outputChannelCount: [4, 5],
    channelCount: 6,
    channelCountMode: "explicit",
    channelInterpretation: "discrete",
  });
  assertEquals(n.numberOfInputs, 3);
  assertEquals(n.numberOfOutputs, 2);
  assertEquals(n.channelCount, 6);
  assertEquals(n.channelCountMode, "explicit");
  assertEquals(n.channelInterpretation, "discrete");
  const z = new AudioWorkletNode(ctx, "options-echo", { numberOfInputs: 0, numberOfOutputs: 4 });
  assertEquals(z.numberOfInputs, 0);
  assertEquals(z.numberOfOutputs, 4);
  // The attributes can still change, as on any AudioNode.
  n.channelCount = 1;
  assertEquals(n.channelCount, 1);
  n.channelCountMode = "clamped-max";
  assertEquals(n.channelCountMode, "clamped-max");
  for (const node of [plain, n, z]) node.port.close();
});

test("parameters is an AudioParamMap of AudioParams from the descriptors", async () => {
  const ctx = await offlineWith("./worklet/options.js");
  const node = new AudioWorkletNode(ctx, "with-params", { parameterData: { gain: 0.25, detune: -100, unknown: 7 } });
  const map = node.parameters;
  assert(map instanceof AudioParamMap);
  assert(node.parameters === map, "the same map each time");
  assertEquals(map.size, 3);
  assertArrayEquals([...map.keys()], ["gain", "detune", "free"], "keys in descriptor order");
  assertEquals(map.has("gain"), true);
  assertEquals(map.has("unknown"), false);
  assertEquals(map.get("unknown"), undefined);
  const gain = map.get("gain");
  const detune = map.get("detune");
  const free = map.get("free");
  for (const p of [gain, detune, free]) assert(p instanceof AudioParam);
  assertEquals(gain.defaultValue, 1);
  assertEquals(gain.minValue, 0);
  assertEquals(gain.maxValue, 2);
  assertEquals(gain.automationRate, "a-rate");
  assertEquals(gain.value, 0.25, "parameterData sets the initial value");
  assertEquals(detune.defaultValue, 0);
  assertEquals(detune.minValue, -1200);
  assertEquals(detune.maxValue, 1200);
  assertEquals(detune.automationRate, "k-rate");
  assertEquals(detune.value, -100);
  assertEquals(free.defaultValue, 440);
  assertEquals(free.minValue, -3.4028234663852886e38);
  assertEquals(free.maxValue, 3.4028234663852886e38);
  assertEquals(free.value, 440);
  const values = [...map.values()];
  assert(values[0] === gain && values[1] === detune && values[2] === free, "values()");
  const entries = [...map.entries()];
  assert(entries[1][0] === "detune" && entries[1][1] === detune, "entries()");
  const iterated = [];
  for (const [key, value] of map) iterated.push([key, value]);
  assert(iterated.length === 3 && iterated[2][0] === "free" && iterated[2][1] === free, "for..of");
  const seen = [];
  const thisArg = {};
  map.forEach(function (value, key, m) {
    assert(this === thisArg && m === map);
    seen.push(key, value);
  }, thisArg);
  assert(seen.length === 6 && seen[0] === "gain" && seen[1] === gain, "forEach");
  assertThrows(() => map.forEach(5), TypeError);
  assertEquals(typeof map.set, "undefined", "read-only maplike");
  assertEquals(typeof map.delete, "undefined", "read-only maplike");
  assertThrows(() => new AudioParamMap(), TypeError);
  // They are real AudioParams: automation works and the processor sees it.
  free.setValueAtTime(220, 0);
  const box = inbox(node.port);
  node.connect(ctx.destination);
  await ctx.startRendering();
  const first = await box.next();
  assertEquals(first.gain[0], 0.25);
  assertEquals(first.detune[0], -100);
  assertEquals(first.free[0], 220);
});

test("the processor gets the options, processorOptions deep-cloned", async () => {
  const ctx = await offlineWith("./worklet/options.js");
  const processorOptions = {
    text: "hi",
    nested: { list: [1, 2, { three: 3 }] },
    typed: new Float64Array([0.5, -1.5]),
    map: new Map([["k", [1]]]),
  };
  const node = new AudioWorkletNode(ctx, "options-echo", {
    numberOfInputs: 2,
    numberOfOutputs: 2,
    outputChannelCount: [3, 1],
    channelCount: 4,
    channelCountMode: "clamped-max",
    channelInterpretation: "discrete",
    parameterData: { x: 1.5 },
    processorOptions,
  });
  // Changing the original afterwards changes nothing in the processor.
  processorOptions.text = "changed";
  processorOptions.nested.list[2].three = 33;
  processorOptions.typed[0] = 99;
  const box = inbox(node.port);
  const { options, keys, plain } = await box.next();
  assertEquals(plain, true);
  assertArrayEquals(keys, ["channelCount", "channelCountMode", "channelInterpretation", "numberOfInputs",
    "numberOfOutputs", "outputChannelCount", "parameterData", "processorOptions"]);
  assertEquals(options.numberOfInputs, 2);
  assertEquals(options.numberOfOutputs, 2);
  assertArrayEquals(options.outputChannelCount, [3, 1]);
  assertEquals(options.channelCount, 4);
  assertEquals(options.channelCountMode, "clamped-max");
  assertEquals(options.channelInterpretation, "discrete");
  assertEquals(options.parameterData.x, 1.5);
  const po = options.processorOptions;
  assert(po !== processorOptions);
  assertEquals(po.text, "hi");
  assertEquals(po.nested.list[2].three, 3);
  assert(po.typed instanceof Float64Array);
  assertArrayEquals(po.typed, [0.5, -1.5]);
  assert(po.map instanceof Map && po.map.get("k")[0] === 1);
  // Defaults: numberOfInputs and numberOfOutputs are always there.
  const plainNode = new AudioWorkletNode(ctx, "options-echo");
  const defaults = await inbox(plainNode.port).next();
  assertArrayEquals(defaults.keys, ["numberOfInputs", "numberOfOutputs"]);
  assertEquals(defaults.options.numberOfInputs, 1);
  assertEquals(defaults.options.numberOfOutputs, 1);
  node.port.close();
  plainNode.port.close();
});

// --- 4. Rendering ---

/** The oscillator-through-gain graph, with `gainParam` automated. */
function automate(gainParam) {
  gainParam.setValueAtTime(0.2, 0.01);
  gainParam.linearRampToValueAtTime(1.5, 0.04321);
  gainParam.setTargetAtTime(0.1, 0.05, 0.005);
  gainParam.setValueCurveAtTime(new Float32Array([0.3, -0.7, 0.9]), 0.07, 0.011);
}

test("gain processor with an a-rate param equals a GainNode, sample for sample", async () => {
  const length = 4096;
  const build = (ctx, gainNode, gainParam) => {
    const osc = new OscillatorNode(ctx, { frequency: 441, type: "sawtooth" });
    osc.connect(gainNode).connect(ctx.destination);
    osc.start(0.003);
    automate(gainParam);
  };
  const a = await offlineWith("./worklet/gain.js", { length });
  const worklet = new AudioWorkletNode(a, "gain");
  build(a, worklet, worklet.parameters.get("gain"));
  const b = new OfflineAudioContext(1, length, SR);
  const native = new GainNode(b);
  build(b, native, native.gain);
  const [fromWorklet, fromNative] = await Promise.all([a.startRendering(), b.startRendering()]);
  const x = fromWorklet.getChannelData(0);
  const y = fromNative.getChannelData(0);
  assertEquals(fromWorklet.numberOfChannels, 1);
  assert(y.some((v) => Math.abs(v) > 0.3), "the reference is not silent");
  assert(y.some((v) => v < -0.3) && y.some((v) => v > 0.3), "the curve's negative gain is heard");
  assertSamplesEqual(x, y, "worklet gain vs GainNode");
});

test("noise processor equals an AudioBufferSourceNode playing the same sequence", async () => {
  const length = QUANTUM * 20 + 37;
  const seed = 0x9e3779b9;
  const ctx = await offlineWith("./worklet/noise.js", { channels: 2, length });
  new AudioWorkletNode(ctx, "noise", {
    numberOfInputs: 0,
    outputChannelCount: [2],
    processorOptions: { seed },
  }).connect(ctx.destination);
  const rendered = await ctx.startRendering();
  // The same xorshift32 on this thread, into an AudioBuffer.
  const buffer = new AudioBuffer({ length, sampleRate: SR, numberOfChannels: 1 });
  const data = buffer.getChannelData(0);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    data[i] = (x / 4294967296) * 2 - 1;
  }
  const ref = new OfflineAudioContext(1, length, SR);
  const source = new AudioBufferSourceNode(ref, { buffer });
  source.connect(ref.destination);
  source.start(0);
  const expected = (await ref.startRendering()).getChannelData(0);
  assertEquals(new Set(expected).size > length / 2, true, "the sequence varies");
  assertSamplesEqual(rendered.getChannelData(0), expected, "left");
  assertSamplesEqual(rendered.getChannelData(1), expected, "right");
});

test("param arrays: k-rate has 1 value; a-rate 128 while automated, else 1", async () => {
  const quanta = 5;
  const length = QUANTUM * quanta;
  const ctx = await offlineWith("./worklet/layout_probe.js", { length });
  const node = new AudioWorkletNode(ctx, "layout-probe", { numberOfInputs: 0, processorOptions: { quanta } });
  node.connect(ctx.destination);
  const schedule = (a, k) => {
    // a: constant in quantum 0, a step in the middle of quantum 1, a ramp
    // ending in quantum 2, then constant.
    a.setValueAtTime(0.25, 192 / SR);
    a.linearRampToValueAtTime(0.75, 320 / SR);
    // k: steps and a ramp; k-rate takes one value per quantum.
    k.setValueAtTime(3, 192 / SR);
    k.linearRampToValueAtTime(5, 448 / SR);
  };
  schedule(node.parameters.get("a"), node.parameters.get("k"));
  const box = inbox(node.port);
  await ctx.startRendering();
  const log = await box.next();
  node.port.close();
  // The same automation on ConstantSourceNode offsets (a-rate and k-rate).
  const ref = new OfflineAudioContext(2, length, SR);
  const merger = new ChannelMergerNode(ref, { numberOfInputs: 2 });
  const ca = new ConstantSourceNode(ref, { offset: 0.5 });
  const ck = new ConstantSourceNode(ref, { offset: 2 });
  ck.offset.automationRate = "k-rate";
  schedule(ca.offset, ck.offset);
  ca.connect(merger, 0, 0);
  ck.connect(merger, 0, 1);
  merger.connect(ref.destination);
  ca.start();
  ck.start();
  const rendered = await ref.startRendering();
  const aRef = rendered.getChannelData(0);
  const kRef = rendered.getChannelData(1);
  assertEquals(log.length, quanta);
  const expectedALengths = [1, 128, 128, 1, 1];
  for (let q = 0; q < quanta; q++) {
    const entry = log[q];
    assertEquals(entry.frame, q * QUANTUM, `currentFrame in quantum ${q}`);
    assertEquals(entry.time, (q * QUANTUM) / SR, `currentTime in quantum ${q}`);
    assertEquals(entry.k.length, 1, `k-rate length in quantum ${q}`);
    assertEquals(entry.k[0], kRef[q * QUANTUM], `k value in quantum ${q}`);
    assertEquals(entry.a.length, expectedALengths[q], `a-rate length in quantum ${q}`);
    const expectedA = Array.from(aRef.subarray(q * QUANTUM, (q + 1) * QUANTUM));
    if (entry.a.length === 1) {
      assert(expectedA.every((v) => v === entry.a[0]), `a constant in quantum ${q}`);
    } else {
      assertSamplesEqual(entry.a, expectedA, `a values in quantum ${q}`);
    }
    assertEquals(entry.frozen, true, "inputs, outputs and parameters are frozen");
  }
  assert(kRef[2 * QUANTUM] !== kRef[3 * QUANTUM], "k changes between quanta");
});

test("channel layout: empty disconnected input, computed input channels, outputChannelCount", async () => {
  const quanta = 3;
  const length = QUANTUM * quanta;
  const ctx = await offlineWith("./worklet/layout_probe.js", { channels: 3, length });
  // Input 0 is left unconnected; input 1 gets a stereo and a mono source.
  const node = new AudioWorkletNode(ctx, "layout-probe", {
    numberOfInputs: 2,
    numberOfOutputs: 1,
    outputChannelCount: [3],
    processorOptions: { quanta },
  });
  const stereo = new AudioBuffer({ length, sampleRate: SR, numberOfChannels: 2 });
  stereo.getChannelData(0).fill(0.25);
  stereo.getChannelData(1).fill(-0.25);
  const src = new AudioBufferSourceNode(ctx, { buffer: stereo });
  src.connect(node, 0, 1);
  src.start();
  const mono = new ConstantSourceNode(ctx, { offset: 0.5 });
  mono.connect(node, 0, 1);
  mono.start();
  node.connect(ctx.destination);
  // 1 in / 1 out without outputChannelCount: the output follows the input.
  const follower = new AudioWorkletNode(ctx, "layout-probe", { processorOptions: { quanta } });
  src.connect(follower);
  // Explicit channelCount 1 down-mixes the stereo input.
  const explicit = new AudioWorkletNode(ctx, "layout-probe", {
    channelCount: 1,
    channelCountMode: "explicit",
    processorOptions: { quanta },
  });
  src.connect(explicit);
  // Several outputs without outputChannelCount are mono.
  const multi = new AudioWorkletNode(ctx, "layout-probe", { numberOfOutputs: 2, processorOptions: { quanta } });
  const boxes = [node, follower, explicit, multi].map((n) => inbox(n.port));
  const rendered = await ctx.startRendering();
  const [log, followerLog, explicitLog, multiLog] = await Promise.all(boxes.map((b) => b.next()));
  for (const n of [node, follower, explicit, multi]) n.port.close();
  for (let q = 0; q < quanta; q++) {
    assertArrayEquals(log[q].inputs, [0, 2], `input channels in quantum ${q}`);
    assertArrayEquals(log[q].outputs, [3], `output channels in quantum ${q}`);
    assert(log[q].samplesPerChannel.every((n) => n === QUANTUM), "128 samples per channel");
    assertArrayEquals(log[q].inputSample[1], [0.75, 0.25], "the summed input");
    assertArrayEquals(followerLog[q].inputs, [2]);
    assertArrayEquals(followerLog[q].outputs, [2]);
    assertArrayEquals(explicitLog[q].inputs, [1]);
    assertArrayEquals(explicitLog[q].inputSample[0], [0], "speakers down-mix of 0.25 and -0.25");
    assertArrayEquals(explicitLog[q].outputs, [1]);
    assertArrayEquals(multiLog[q].inputs, [0]);
    assertArrayEquals(multiLog[q].outputs, [1, 1]);
  }
  // What the processor wrote into its three output channels reaches the
  // three destination channels.
  assertEquals(rendered.numberOfChannels, 3);
  for (let c = 0; c < 3; c++) {
    const expected = Math.fround(0.5 + (c + 1) / 8);
    const data = rendered.getChannelData(c);
    assert(data.every((v) => v === expected), `destination channel ${c}: ${data[0]} is not ${expected}`);
  }
});

// --- 5. MessagePort ---

function checkGreeting(g, from) {
  assertEquals(g.from, from);
  assert(g.ints instanceof Int16Array, "Int16Array");
  assertArrayEquals(g.ints, [1, -2, 32767]);
  assert(g.map instanceof Map, "Map");
  assert(g.map.get("set") instanceof Set && g.map.get("set").has("b"), "Set in a Map");
  assertEquals(g.map.get("n"), 7);
  assert(g.date instanceof Date && g.date.getTime() === 86400000, "Date");
  assertEquals(g.nested.list[1].deep, "yes");
  assertEquals(g.nested.none, null);
  assert("missing" in g.nested && g.nested.missing === undefined);
  assert(g.regexp instanceof RegExp && g.regexp.source === "wor+klet" && g.regexp.flags === "gi", "RegExp");
  assert(g.self === g, "a cycle survives");
}

function roundTripMessage() {
  const m = {
    text: "ünïcödé",
    typed: new Float32Array([0.1, -2, 3e30]),
    map: new Map([[1, "one"], ["two", { n: 2 }]]),
    buffer: new ArrayBuffer(24),
  };
  new Uint8Array(m.buffer).set([1, 2, 3], 5);
  m.self = m;
  return m;
}

function checkEcho(reply, sent) {
  const { echo, seen } = reply;
  assertEquals(seen.isObject, true);
  assertEquals(seen.typedIsFloat32, true, "the worklet got a Float32Array");
  assertEquals(seen.mapIsMap, true, "the worklet got a Map");
  assertEquals(seen.cycle, true, "the worklet got the cycle");
  assertEquals(echo.text, sent.text);
  assert(echo.typed instanceof Float32Array);
  assertArrayEquals(echo.typed, sent.typed);
  assert(echo.map instanceof Map);
  assertEquals(echo.map.get(1), "one");
  assertEquals(echo.map.get("two").n, 2);
  assert(echo.self === echo);
  assert(echo.buffer instanceof ArrayBuffer);
  assertArrayEquals(new Uint8Array(echo.buffer), new Uint8Array(sent.buffer));
}

test("node.port <-> processor.port: structured clone both ways, transfer", async () => {
  const ctx = await offlineWith("./worklet/echo.js");
  const node = new AudioWorkletNode(ctx, "echo");
  const box = inbox(node.port);
  checkGreeting(await box.next(), "processor");
  const sent = roundTripMessage();
  node.port.postMessage(sent);
  checkEcho(await box.next(), sent);
  // A transferred buffer is detached here and arrives whole.
  const buffer = new ArrayBuffer(64);
  node.port.postMessage({ buffer }, [buffer]);
  assertEquals(buffer.byteLength, 0, "detached after transfer");
  assertEquals((await box.next()).seen.bufferBytes, 64);
  node.port.close();
});

test("audioWorklet.port <-> AudioWorkletGlobalScope.port", async () => {
  const ctx = await offlineWith("./worklet/echo.js");
  const port = ctx.audioWorklet.port;
  assert(port === ctx.audioWorklet.port);
  const box = inbox(port);
  port.postMessage("greet");
  checkGreeting(await box.next(), "scope");
  const sent = roundTripMessage();
  port.postMessage(sent);
  checkEcho(await box.next(), sent);
  port.close();
});

test("ports work before an OfflineAudioContext renders and after it completed", async () => {
  const length = QUANTUM * 8;
  const ctx = await offlineWith("./worklet/echo.js", { length });
  const scopeBox = inbox(ctx.audioWorklet.port);
  const node = new AudioWorkletNode(ctx, "echo");
  const nodeBox = inbox(node.port);
  checkGreeting(await nodeBox.next(), "processor");
  // Before rendering: the scope is at frame 0.
  ctx.audioWorklet.port.postMessage({ n: 1 });
  const before = await scopeBox.next();
  assertEquals(before.echo.n, 1);
  assertEquals(before.frame, 0);
  node.port.postMessage({ n: 2 });
  assertEquals((await nodeBox.next()).echo.n, 2);
  node.connect(ctx.destination);
  await ctx.startRendering();
  // After completion: the scope has rendered every frame and still answers.
  ctx.audioWorklet.port.postMessage({ n: 3 });
  const after = await scopeBox.next();
  assertEquals(after.echo.n, 3);
  assertEquals(after.frame, length);
  node.port.postMessage({ n: 4 });
  assertEquals((await nodeBox.next()).echo.n, 4);
  ctx.audioWorklet.port.close();
  node.port.close();
});

// --- 6. processorerror ---

/** Waits until `count()` reaches `n` or `ms` pass; returns count(). */
async function waitFor(count, n, ms = 3000) {
  const end = Date.now() + ms;
  while (count() < n && Date.now() < end) await sleep(10);
  return count();
}

test("a throwing processor constructor fires processorerror; the node is silent", async () => {
  const ctx = await offlineWith("./worklet/errors.js", { length: QUANTUM * 4 });
  const node = new AudioWorkletNode(ctx, "throw-in-constructor");
  const events = [];
  node.onprocessorerror = (e) => events.push(e);
  const source = new ConstantSourceNode(ctx, { offset: 0.5 });
  source.connect(node).connect(ctx.destination);
  source.start();
  const out = (await ctx.startRendering()).getChannelData(0);
  assertEquals(await waitFor(() => events.length, 1), 1);
  await sleep(50);
  assertEquals(events.length, 1, "fired once");
  const e = events[0];
  assert(e instanceof ErrorEvent, "an ErrorEvent");
  assertEquals(e.type, "processorerror");
  assert(e.message.includes("constructor failed on purpose"), `message: ${e.message}`);
  assert(e.filename.endsWith("/worklet/errors.js"), `filename: ${e.filename}`);
  assert(e.lineno > 0, `lineno: ${e.lineno}`);
  assert(out.every((v) => v === 0), `output is not silent: ${out.find((v) => v !== 0)}`);
});

test("a throwing process() fires processorerror once; silence from then on", async () => {
  const throwAt = QUANTUM * 3;
  const length = QUANTUM * 8;
  const ctx = await offlineWith("./worklet/errors.js", { length });
  const node = new AudioWorkletNode(ctx, "throw-in-process", { processorOptions: { throwAtFrame: throwAt } });
  const events = [];
  node.addEventListener("processorerror", (e) => events.push(e));
  const source = new ConstantSourceNode(ctx, { offset: 0.5 });
  source.connect(node).connect(ctx.destination);
  source.start();
  const out = (await ctx.startRendering()).getChannelData(0);
  assertEquals(await waitFor(() => events.length, 1), 1);
  await sleep(50);
  assertEquals(events.length, 1, "fired once");
  assert(events[0] instanceof ErrorEvent);
  assert(events[0].message.includes("process failed on purpose after 4 calls"), `message: ${events[0].message}`);
  for (let i = 0; i < length; i++) {
    assertEquals(out[i], i < throwAt ? 0.5 : 0, `frame ${i}`);
  }
});

test("a process that is not a function fires processorerror", async () => {
  const ctx = await offlineWith("./worklet/errors.js", { length: QUANTUM * 4 });
  const node = new AudioWorkletNode(ctx, "process-not-callable", { numberOfInputs: 0 });
  let fired = 0;
  let event = null;
  node.onprocessorerror = (e) => {
    fired++;
    event = e;
  };
  node.connect(ctx.destination);
  const out = (await ctx.startRendering()).getChannelData(0);
  assertEquals(await waitFor(() => fired, 1), 1);
  await sleep(50);
  assertEquals(fired, 1, "fired once");
  assert(event instanceof ErrorEvent);
  assert(out.every((v) => v === 0));
});

// --- 7. Lifetime ---

/** Collects garbage: the engine's `gc()` when it has one, else churn. */
async function collectGarbage() {
  for (let round = 0; round < 3; round++) {
    if (typeof globalThis.gc === "function") {
      globalThis.gc();
    } else {
      let keep = null;
      for (let i = 0; i < 200000; i++) keep = { i, next: keep, list: [i, i] };
      keep = null;
    }
    await sleep(0);
  }
}

/**
 * Renders `quanta` quanta of counter.js processors made by `setup(spawn)`,
 * collecting garbage here at quantum 8; returns the scope's reports (counts
 * and collected processors) at quanta 8, 24 and the end.
 */
async function lifetimeRun(quanta, setup) {
  const ctx = await offlineWith("./worklet/counter.js", { length: QUANTUM * quanta });
  const port = ctx.audioWorklet.port;
  const box = inbox(port);
  const report = async () => {
    port.postMessage("gc");
    port.postMessage("report");
    return await box.next();
  };
  const spawn = (id, result) => {
    const node = new AudioWorkletNode(ctx, "counter", {
      numberOfInputs: 0,
      outputChannelCount: [1],
      processorOptions: { id, result },
    });
    node.connect(ctx.destination);
    return node;
  };
  const kept = setup(spawn);
  const at = (q) => (q * QUANTUM) / SR;
  const reports = [];
  const suspensions = Promise.all([
    ctx.suspend(at(8)).then(async () => {
      reports.push(await report());
      await collectGarbage();
      await ctx.resume();
    }),
    ctx.suspend(at(24)).then(async () => {
      reports.push(await report());
      await ctx.resume();
    }),
  ]);
  await ctx.startRendering();
  await suspensions;
  reports.push(await report());
  port.close();
  return { reports, kept };
}

test("a processor returning true keeps being processed, referenced or not", async () => {
  const quanta = 40;
  const { reports } = await lifetimeRun(quanta, (spawn) => {
    spawn("dropped-true", true);
    return spawn("kept-true", true);
  });
  const [at8, at24, end] = reports;
  for (const id of ["dropped-true", "kept-true"]) {
    assertEquals(at8.counts[id], 8, `${id} at quantum 8`);
    assertEquals(at24.counts[id], 24, `${id} at quantum 24`);
    assertEquals(end.counts[id], quanta, `${id} at the end`);
  }
  assertArrayEquals(end.collected, [], "no active processor is collected");
});

test("an unreferenced, unfed node whose processor returned false is freed", async () => {
  const quanta = 40;
  const { reports, kept } = await lifetimeRun(quanta, (spawn) => {
    spawn("dropped-false", false);
    spawn("dropped-true", true);
    return spawn("kept-false", false);
  });
  const [at8, at24, end] = reports;
  assertEquals(at8.counts["dropped-false"] >= 1, true, "it ran");
  // Its wrapper is in no cycle, so its engine handle may go as soon as it
  // is dropped; the referenced node and the active one stay.
  assert(
    at8.collected.every((id) => id === "dropped-false"),
    `only the unreferenced inactive one may be freed by quantum 8: ${at8.collected}`,
  );
  // Freed on the render side, its processor is garbage in the scope; the
  // referenced node and the active one are not.
  assertArrayEquals(at24.collected, ["dropped-false"], "collected by quantum 24");
  assertArrayEquals(end.collected, ["dropped-false"], "collected at the end");
  assertEquals(end.counts["dropped-false"], at24.counts["dropped-false"], "no calls once freed");
  assertEquals(end.counts["dropped-true"], quanta, "the active one ran to the end");
  assert(kept instanceof AudioWorkletNode);
});
