async function load() {
  throw new TypeError("bad buffer");
}
load();
setTimeout(() => console.log("not reached"), 50);
