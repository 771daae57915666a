// Tone.FeedbackDelay and Tone.PingPongDelay: DelayNodes inside feedback
// cycles, fed by a Synth whose notes start at time 0, in Tone.Offline.
import * as Tone from "tone";
import { envelope, measure, scenario } from "../lib/harness.js";

await scenario("tone-feedback-delay", async () => {
  const rendered = await Tone.Offline(() => {
    const delay = new Tone.FeedbackDelay({ delayTime: 0.125, feedback: 0.4, wet: 0.5 });
    const pingPong = new Tone.PingPongDelay({ delayTime: 0.09, feedback: 0.3, wet: 0.4 });
    const synth = new Tone.Synth({ oscillator: { type: "square" }, envelope: { attack: 0.002, release: 0.05 } });
    synth.chain(delay, pingPong, Tone.getDestination());
    synth.triggerAttackRelease("E3", 0.1, 0);
    synth.triggerAttackRelease("B3", 0.1, 0.5);
  }, 1.2, 2, 44100);
  const buffer = rendered.get();
  return { ...measure(buffer), envelopeLeft: envelope(buffer, 4410, 0), envelopeRight: envelope(buffer, 4410, 1) };
});
