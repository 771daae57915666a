// An exception a worker does not handle, and its parent does not either,
// ends the program with exit code 1 as an uncaught exception would.
const source = `function fail() { throw new Error("boom in worker"); }\nfail();`;
new Worker(`data:text/javascript,${encodeURIComponent(source)}`, { type: "module" });
