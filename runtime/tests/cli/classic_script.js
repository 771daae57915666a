// No import/export and no top-level await: runs as a classic script, in
// sloppy mode, with top-level `var` on the global object.
var topLevel = 1;
undeclared = 2;
console.log(globalThis.topLevel, globalThis.undeclared, this === globalThis);
