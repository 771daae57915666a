// The smallest webaudio-run script: prints a greeting and the runtime's
// arguments. Run it with `webaudio-run examples/hello.js [args...]`.
console.log("Hello from webaudio-run!", WebAudioRun.args);
