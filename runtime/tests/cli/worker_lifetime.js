// The process lives while a worker has work pending or listens for
// messages, and exits by itself once every worker has ended.
const module = (source) => `data:text/javascript,${encodeURIComponent(source)}`;
const late = new Worker(module(`setTimeout(() => postMessage("late hello"), 50);`), { type: "module" });
const listener = new Worker(module(`self.onmessage = (e) => { postMessage("got " + e.data); close(); };`), {
  type: "module",
});
listener.onmessage = (e) => console.log(e.data);
late.onmessage = (e) => {
  console.log(e.data);
  listener.postMessage("stop");
};
