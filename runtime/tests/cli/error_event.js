// "error" and "unhandledrejection" listeners on the global see uncaught
// exceptions and unhandled rejections; preventDefault() keeps the process
// running, as in a browser.
addEventListener("error", (event) => {
  console.log(
    "error:",
    event instanceof ErrorEvent,
    event.message,
    event.filename === import.meta.url,
    event.lineno,
    event.colno,
    event.error.message,
  );
  event.preventDefault();
});
onunhandledrejection = (event) => {
  console.log(
    "unhandledrejection:",
    event instanceof PromiseRejectionEvent,
    event.reason,
    event.promise === rejected,
  );
  event.preventDefault();
};
setTimeout(() => {
  throw new Error("from a timer");
});
const rejected = Promise.reject("no reason");
setTimeout(() => console.log("still running"), 50);
