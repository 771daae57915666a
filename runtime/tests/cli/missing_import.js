import "./lib/nowhere.js";
console.log("unreached");
