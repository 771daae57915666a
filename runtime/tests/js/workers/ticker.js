// Counts in a SharedArrayBuffer every few milliseconds, forever.
self.onmessage = ({ data: shared }) => {
  const count = new Int32Array(shared);
  setInterval(() => Atomics.add(count, 0, 1), 2);
  postMessage("ticking");
};
