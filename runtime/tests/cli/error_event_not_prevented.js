// An "error" listener that does not call preventDefault() sees the error,
// which then ends the process as usual.
addEventListener("error", (event) => console.log("seen:", event.message));
setTimeout(() => {
  throw new RangeError("not handled");
});
setTimeout(() => console.log("not reached"), 50);
