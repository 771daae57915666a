// A worker starting a worker of its own from a URL relative to itself.
const inner = new Worker("./echo.js", { type: "module" });
inner.onmessage = (e) => {
  postMessage(`inner says ${e.data}`);
  inner.terminate();
};
inner.postMessage("hi");
