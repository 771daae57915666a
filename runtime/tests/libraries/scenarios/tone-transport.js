// Transport scheduling in Tone.Offline: a Loop, a Sequence and a Part, a
// tempo ramp, and the callbacks' times collected.
import * as Tone from "tone";
import { envelope, measure, scenario } from "../lib/harness.js";

await scenario("tone-transport", async () => {
  const times = { loop: [], sequence: [], part: [] };
  const rendered = await Tone.Offline(({ transport }) => {
    transport.bpm.value = 120;
    const kick = new Tone.MembraneSynth().toDestination();
    const hat = new Tone.Synth({ oscillator: { type: "triangle" }, envelope: { attack: 0.001, decay: 0.05, sustain: 0 } }).toDestination();
    hat.volume.value = -24;
    const keys = new Tone.PolySynth(Tone.AMSynth).toDestination();
    keys.volume.value = -14;
    new Tone.Loop((time) => {
      times.loop.push(time);
      kick.triggerAttackRelease("C1", "8n", time);
    }, "4n").start(0);
    new Tone.Sequence((time, note) => {
      times.sequence.push(time);
      hat.triggerAttackRelease(note, "32n", time);
    }, ["C6", null, "G5", "C6"], "8n").start("0:1");
    new Tone.Part((time, chord) => {
      times.part.push(time);
      keys.triggerAttackRelease(chord, "4n", time);
    }, [["0:0", ["C4", "E4"]], ["0:2", ["D4", "F4"]], ["1:0", ["E4", "G4"]]]).start(0);
    transport.bpm.rampTo(150, 1, 0.5);
    transport.start(0);
  }, 2.5, 2, 44100);
  const buffer = rendered.get();
  const round = (list) => list.map((t) => Math.round(t * 1e6) / 1e6);
  return {
    ...measure(buffer),
    envelopeLeft: envelope(buffer, 11025, 0),
    loopTimes: round(times.loop),
    sequenceTimes: round(times.sequence),
    partTimes: round(times.part),
  };
});
