// Writes a long WAV file synchronously, again and again (the path is the
// first argument): Ctrl-C must end the process while a write is under way.
const [path] = WebAudioRun.args;
const buffer = new AudioBuffer({
  numberOfChannels: 2,
  length: 48000 * 120,
  sampleRate: 48000,
});
console.log("ready");
for (;;) WebAudioRun.writeWav(path, buffer, { bitDepth: 16 });
