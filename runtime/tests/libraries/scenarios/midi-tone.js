// @tonejs/midi: a MIDI file written and parsed back, then played by a
// PolySynth on a Tone.Offline Transport, as a MIDI player would.
import { Midi } from "@tonejs/midi";
import * as Tone from "tone";
import { measure, scenario } from "../lib/harness.js";

await scenario("midi-tone", async () => {
  const written = new Midi();
  written.header.setTempo(140);
  const track = written.addTrack();
  track.name = "melody";
  const notes = [60, 64, 67, 72, 67, 64, 60];
  notes.forEach((midi, i) => track.addNote({ midi, time: i * 0.2, duration: 0.18, velocity: 0.5 + i * 0.05 }));
  track.addCC({ number: 64, value: 1, time: 0.5 });
  const midi = new Midi(written.toArray());
  const parsed = midi.tracks[0];
  const rendered = await Tone.Offline(({ transport }) => {
    const synth = new Tone.PolySynth(Tone.Synth).toDestination();
    synth.volume.value = -10;
    for (const note of parsed.notes) {
      transport.schedule((time) => synth.triggerAttackRelease(note.name, note.duration, time, note.velocity), note.time);
    }
    transport.start(0);
  }, 1.6, 1, 44100);
  return {
    ...measure(rendered.get()),
    trackName: parsed.name,
    noteNames: parsed.notes.map((n) => n.name),
    duration: midi.duration,
    ppq: midi.header.ppq,
    controlChanges: parsed.controlChanges[64]?.length ?? 0,
  };
});
