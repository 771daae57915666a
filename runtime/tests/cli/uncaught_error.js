function inner() {
  throw new Error("boom");
}
function outer() {
  inner();
}
console.log("first line runs");
outer();
