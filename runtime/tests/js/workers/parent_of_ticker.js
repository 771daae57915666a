// Starts a ticker worker of its own and says when it ticks.
self.onmessage = ({ data: shared }) => {
  const ticker = new Worker("./ticker.js", { type: "module" });
  ticker.onmessage = () => postMessage("ticking");
  ticker.postMessage(shared);
};
