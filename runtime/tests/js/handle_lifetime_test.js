// JS wrappers and their engine handles under churn: the patterns that used
// to abort the process (more than 65 536 wrappers ever made, listener params
// read per node, many contexts) repeated many times, and the guarantees the
// handle table gives: an id is never reused while JS holds its wrapper, and
// dropped wrappers release their engine objects without any `gc()` call.
import { assert, assertEquals, test } from "./harness.js";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Lets finalizers run: microtasks, then a task. */
async function settle() {
  await null;
  await sleep(0);
}

test("hundreds of rounds of contexts, nodes with listeners and params", async () => {
  let made = 0;
  let ended = 0;
  // 200 rounds of 40 x 3 nodes: with their params, about 100 000 wrappers
  // (the old limit was 65 536 ever made).
  for (let round = 0; round < 200; round++) {
    // A fresh context per round; the old ones are dropped.
    const ctx = new OfflineAudioContext(2, 128, 44100);
    for (let i = 0; i < 40; i++) {
      const osc = new OscillatorNode(ctx, { frequency: 100 + i });
      const gain = new GainNode(ctx, { gain: 0.5 });
      const panner = new PannerNode(ctx);
      osc.addEventListener("ended", () => ended++);
      // What Tone.js does per node: read params and the listener's.
      assertEquals(gain.gain.value, 0.5);
      assertEquals(ctx.listener.positionX.value, 0);
      assertEquals(panner.positionY.value, 0);
      osc.connect(gain).connect(panner).connect(ctx.destination);
      gain.gain.setValueAtTime(0.25, 0);
      osc.connect(gain.gain);
      osc.start();
      if (i % 2 === 0) {
        osc.disconnect();
        gain.disconnect(panner);
      }
      made += 3;
    }
    if (round % 50 === 49) await settle();
  }
  assertEquals(made, 24000);
  assert(WebAudioRun.handleStats().live > 0);
  await settle();
  // Everything above is garbage now: the table shrinks once it is collected.
  await sleep(700);
  for (let i = 0; i < 10; i++) new GainNode(new OfflineAudioContext(1, 128, 8000));
  await settle();
  const { live } = WebAudioRun.handleStats();
  assert(live < 20000, `${live} handles still live after dropping ${made} nodes`);
});

test("rendered offline contexts, one after another", async () => {
  for (let i = 0; i < 200; i++) {
    const ctx = new OfflineAudioContext(1, 256, 8000);
    const src = new ConstantSourceNode(ctx, { offset: i });
    src.connect(ctx.destination);
    let endedFired = false;
    src.onended = () => {
      endedFired = true;
      src.disconnect();
    };
    src.start();
    src.stop(128 / 8000);
    const buffer = await ctx.startRendering();
    assertEquals(buffer.getChannelData(0)[0], i);
    await settle();
    assert(endedFired || i > 0, "ended fires");
  }
});

test("ids are never reused while JS holds the wrapper", async () => {
  const ctx = new OfflineAudioContext(1, 128, 44100);
  const kept = [];
  for (let i = 0; i < 500; i++) {
    const g = new GainNode(ctx, { gain: i });
    kept.push([g, g.gain]);
  }
  // Churn through many more wrappers than are kept, letting them be
  // collected and their ids released and reused.
  for (let round = 0; round < 40; round++) {
    for (let i = 0; i < 1000; i++) {
      const g = new GainNode(ctx, { gain: -1 });
      g.gain.value = -2;
    }
    await settle();
  }
  for (let i = 0; i < kept.length; i++) {
    const [g, gain] = kept[i];
    assertEquals(gain.value, i, `param ${i}`);
    assertEquals(g.gain, gain, "same wrapper");
    g.connect(ctx.destination);
    g.disconnect(ctx.destination);
  }
  // Connections between kept nodes still reach the right nodes.
  kept[0][0].connect(kept[1][0]);
  kept[0][0].disconnect(kept[1][0]);
  let threw = null;
  try {
    kept[0][0].disconnect(kept[2][0]);
  } catch (e) {
    threw = e;
  }
  assertEquals(threw?.name, "InvalidAccessError", "not connected to that node");
});

test("a param outlives its node's wrapper and still drives the engine node", async () => {
  const ctx = new OfflineAudioContext(1, 256, 8000);
  const src = new ConstantSourceNode(ctx);
  let offset = src.offset;
  src.connect(ctx.destination);
  src.start();
  // The node wrapper stays reachable only through the graph and the
  // playing-source set; the param wrapper alone holds no reference to it.
  offset.value = 0.75;
  offset = null;
  await settle();
  const out = (await ctx.startRendering()).getChannelData(0);
  assertEquals(out[255], 0.75);
});

test("dropped nodes leave a realtime graph without gc(), through cycles", async () => {
  // A synth making a few nodes per note, each in a cycle with its onended
  // closure: only a full collection can free them, and nothing here calls
  // gc(). The runtime requests collections from the native memory they
  // hold and the time since the last one.
  const ctx = new AudioContext({ sinkId: { type: "none" } });
  let made = 0;
  let maxCount = 0;
  const start = performance.now();
  while (performance.now() - start < 3000) {
    for (let i = 0; i < 10; i++) {
      const osc = new OscillatorNode(ctx);
      const gain = new GainNode(ctx, { gain: 0.01 });
      osc.connect(gain).connect(ctx.destination);
      osc.onended = () => {
        osc.disconnect();
        gain.disconnect();
      };
      osc.start();
      osc.stop(ctx.currentTime + 0.01);
      made += 2;
    }
    maxCount = Math.max(maxCount, WebAudioRun.nodeCount(ctx));
    await sleep(50);
  }
  // About 400 nodes a second were made; without collections all of them
  // would still be in the graph.
  assert(made > 800, `made ${made}`);
  assert(maxCount < 500, `up to ${maxCount} nodes in the graph after ${made} made`);
  assert(WebAudioRun.handleStats().collections > 0, "collections were requested");
  // Once nothing is made, the last ones go too (the event pump's rounds
  // apply the time rule).
  await sleep(1500);
  const after = WebAudioRun.nodeCount(ctx);
  assert(after < 60, `${after} nodes left in the graph`);
  await ctx.close();
});
