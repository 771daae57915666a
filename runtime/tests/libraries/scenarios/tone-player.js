// Tone.Player with a buffer made from samples: started, stopped, restarted
// with an offset and a playbackRate, with onstop counted; and a looping
// GrainPlayer-free loop region. In Tone.Offline.
import * as Tone from "tone";
import { measure, scenario } from "../lib/harness.js";

await scenario("tone-player", async () => {
  const sr = 44100;
  const samples = new Float32Array(sr / 2);
  for (let i = 0; i < samples.length; i++) {
    samples[i] = 0.5 * Math.sin((2 * Math.PI * 330 * i) / sr) * Math.exp(-i / (sr / 8));
  }
  let stops = 0;
  const rendered = await Tone.Offline(() => {
    const buffer = Tone.ToneAudioBuffer.fromArray(samples);
    const player = new Tone.Player(buffer).toDestination();
    player.onstop = () => stops++;
    player.start(0).stop(0.3);
    player.start(0.4, 0.1);
    const looper = new Tone.Player({ url: buffer, loop: true, loopStart: 0, loopEnd: 0.1, playbackRate: 1.5 }).toDestination();
    looper.volume.value = -12;
    looper.start(0.2).stop(0.8);
  }, 1, 1, sr);
  return { ...measure(rendered.get()), stops };
});
