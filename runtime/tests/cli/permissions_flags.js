// `--allow-read=/etc/passwd`, `--allow-write=/dev/null` and
// `--allow-net=127.0.0.1:9`: exactly what is listed, nothing more.
async function attempt(what, action) {
  try {
    await action();
    console.log(what, "allowed");
  } catch (e) {
    console.log(what, e.name, e.name === "NotCapable" ? e.message : "(network error)");
  }
}
await attempt("read granted file", () => fetch("file:///etc/passwd"));
await attempt("read other file", () => fetch("file:///etc/hosts"));
const buffer = new AudioBuffer({ length: 4, sampleRate: 8000 });
await attempt("write granted file", () => WebAudioRun.writeWav("/dev/null", buffer));
await attempt("write other file", () => WebAudioRun.writeWav("/tmp/webaudio-run-denied.wav", buffer));
// Port 9 (discard) has no listener here: the request is allowed and fails
// as a network error, not a permission error.
await attempt("net granted port", () => fetch("http://127.0.0.1:9/"));
await attempt("net other port", () => fetch("http://127.0.0.1:10/"));
