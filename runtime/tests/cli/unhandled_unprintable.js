// A rejection with an object whose toString throws: reported, no panic.
export {};
Promise.reject({
  toString() {
    throw new Error("not printable");
  },
});
