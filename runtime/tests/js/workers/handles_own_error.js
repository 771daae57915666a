// A worker whose own `error` listener handles an exception of a timer: it
// keeps running and its parent sees no error event.
self.addEventListener("error", (e) => {
  e.preventDefault();
  postMessage(`handled: ${e.message}`);
});
setTimeout(() => {
  throw new Error("timer failure");
}, 0);
self.onmessage = (e) => postMessage(`still running: ${e.data}`);
