// Tone.Offline with the synths people start with: a PolySynth of Synths
// playing chords, a MonoSynth bass line and an FMSynth lead.
import * as Tone from "tone";
import { measure, scenario } from "../lib/harness.js";

await scenario("tone-synth", async () => {
  const rendered = await Tone.Offline(() => {
    const poly = new Tone.PolySynth(Tone.Synth, { oscillator: { type: "triangle" } }).toDestination();
    poly.volume.value = -12;
    poly.triggerAttackRelease(["C4", "E4", "G4"], 0.4, 0);
    poly.triggerAttackRelease(["A3", "C4", "E4"], 0.4, 0.5);
    const bass = new Tone.MonoSynth({ oscillator: { type: "sawtooth" }, filter: { Q: 2 } }).toDestination();
    bass.volume.value = -18;
    bass.triggerAttackRelease("C2", 0.3, 0.1);
    bass.triggerAttackRelease("A1", 0.3, 0.6);
    const lead = new Tone.FMSynth({ modulationIndex: 8 }).toDestination();
    lead.volume.value = -20;
    lead.triggerAttackRelease("G5", 0.2, 0.25);
    lead.triggerAttackRelease("E5", 0.2, 0.75);
  }, 1.25, 2, 44100);
  return measure(rendered.get());
});
