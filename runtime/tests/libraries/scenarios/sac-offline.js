// standardized-audio-context's OfflineAudioContext: an oscillator through a
// biquad and an automated gain, a looping buffer source with a generated
// buffer through a stereo panner; rendered with startRendering().
import { OfflineAudioContext } from "standardized-audio-context";
import { envelope, measure, scenario } from "../lib/harness.js";

await scenario("sac-offline", async () => {
  const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: 44100, sampleRate: 44100 });
  const osc = ctx.createOscillator();
  osc.type = "sawtooth";
  osc.frequency.setValueAtTime(110, 0);
  osc.frequency.exponentialRampToValueAtTime(880, 0.8);
  const filter = ctx.createBiquadFilter();
  filter.type = "lowpass";
  filter.frequency.value = 1200;
  filter.Q.value = 4;
  const gain = ctx.createGain();
  gain.gain.setValueAtTime(0, 0);
  gain.gain.linearRampToValueAtTime(0.5, 0.1);
  gain.gain.setTargetAtTime(0.1, 0.5, 0.1);
  const noise = ctx.createBuffer(1, 4410, 44100);
  const data = noise.getChannelData(0);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37) * Math.sin(i * 0.011);
  const source = ctx.createBufferSource();
  source.buffer = noise;
  source.loop = true;
  const panner = ctx.createStereoPanner();
  panner.pan.value = -0.5;
  osc.connect(filter).connect(gain).connect(ctx.destination);
  source.connect(panner).connect(ctx.destination);
  osc.start(0);
  osc.stop(0.9);
  source.start(0.2);
  source.stop(0.7);
  const buffer = await ctx.startRendering();
  return { ...measure(buffer), envelopeLeft: envelope(buffer, 4410, 0) };
});
