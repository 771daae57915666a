// Never yields: only terminate() can stop it.
postMessage("started");
for (;;) {
  // spin
}
