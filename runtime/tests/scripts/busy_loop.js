// Never yields to the event loop: only Ctrl-C can end it.
console.log("ready");
while (true) {
  // busy
}
