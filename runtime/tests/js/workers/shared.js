// Gets a transferred ArrayBuffer and a SharedArrayBuffer: reports the
// buffer's size, writes into the shared memory and transfers the buffer back.
self.onmessage = ({ data: { buffer, shared } }) => {
  const view = new Int32Array(shared);
  for (let i = 0; i < view.length; i++) Atomics.store(view, i, i * 10);
  const size = buffer.byteLength;
  postMessage({ size, buffer }, [buffer]);
};
