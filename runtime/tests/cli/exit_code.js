console.log("before");
setTimeout(() => console.log("never printed"), 1000);
WebAudioRun.exit(7);
console.log("after");
