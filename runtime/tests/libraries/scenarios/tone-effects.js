// Tone's effects built from native nodes: Distortion (WaveShaper), a
// 24 dB/octave Filter and a Panner3D moving along x, in Tone.Offline.
import * as Tone from "tone";
import { envelope, measure, scenario } from "../lib/harness.js";

await scenario("tone-effects", async () => {
  const rendered = await Tone.Offline(() => {
    const distortion = new Tone.Distortion({ distortion: 0.6, oversample: "2x" });
    const filter = new Tone.Filter({ frequency: 1800, type: "lowpass", rolloff: -24 });
    const panner = new Tone.Panner3D({ positionX: -4, positionY: 0, positionZ: -1, panningModel: "equalpower" });
    const synth = new Tone.Synth({ oscillator: { type: "square" } });
    synth.chain(distortion, filter, panner, Tone.getDestination());
    panner.positionX.linearRampTo(4, 0.8, 0);
    synth.triggerAttackRelease("E3", 0.6, 0.05);
  }, 1, 2, 44100);
  const buffer = rendered.get();
  return { ...measure(buffer), envelopeLeft: envelope(buffer, 11025, 0), envelopeRight: envelope(buffer, 11025, 1) };
});
