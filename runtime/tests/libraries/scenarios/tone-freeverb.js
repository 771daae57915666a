// Tone.Freeverb (its comb filters are an AudioWorklet in Tone 15) on a
// plucked string, in Tone.Offline.
import * as Tone from "tone";
import { envelope, measure, scenario } from "../lib/harness.js";

await scenario("tone-freeverb", async () => {
  const rendered = await Tone.Offline(() => {
    const reverb = new Tone.Freeverb({ roomSize: 0.8, dampening: 2500, wet: 0.5 }).toDestination();
    const synth = new Tone.Synth({ oscillator: { type: "triangle" }, envelope: { attack: 0.005, release: 0.05 } }).connect(reverb);
    synth.triggerAttackRelease("C4", 0.1, 0);
    synth.triggerAttackRelease("G4", 0.1, 0.3);
  }, 1.5, 2, 44100);
  const buffer = rendered.get();
  return { ...measure(buffer), envelopeLeft: envelope(buffer, 22050, 0) };
});
