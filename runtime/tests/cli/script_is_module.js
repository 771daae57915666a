// Every script is an ES module, as in Deno, even one with no import or
// export: strict mode, top-level `this` is undefined and top-level `var`s
// stay in the module instead of landing on the global object.
var topLevel = 1;
console.log(this, globalThis.topLevel, topLevel, typeof import.meta.url);
try {
  undeclared = 2;
} catch (e) {
  console.log(e.name, "undeclared" in globalThis);
}
