// Without flags a script reads files under its own folder and the current
// directory, writes nothing and has no network. Every refusal is a
// catchable error naming the flag that would allow it: NotCapable, or for
// an import a TypeError, as Deno's module loader reports every failure.
const { NotCapable } = WebAudioRun.errors;

async function attempt(what, action) {
  try {
    await action();
    console.log(what, "allowed");
  } catch (e) {
    const parent = decodeURIComponent(new URL("..", import.meta.url).pathname);
    console.log(what, e.name, e instanceof NotCapable, e.message.replace(parent, "<parent>/"));
  }
}

await attempt("fetch sibling", async () => (await fetch("./hello.js")).text());
await attempt("import sibling", () => import("./lib/math.js"));
await attempt("fetch /etc/passwd", () => fetch("file:///etc/passwd"));
await attempt("fetch ../ escape", () => fetch("./lib/../../cli.rs"));
await attempt("import ../ escape", () => import("../js/harness.js"));
await attempt("import /etc", () => import("file:///etc/hostname.js"));
await attempt("worker /etc", () => new Worker("file:///etc/x.js", { type: "module" }));
await attempt("http", () => fetch("http://127.0.0.1:9/"));
await attempt("writeWav", () =>
  WebAudioRun.writeWav("out.wav", new AudioBuffer({ length: 1, sampleRate: 8000 }))
);
