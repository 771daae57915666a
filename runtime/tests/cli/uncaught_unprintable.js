// A thrown object whose toString throws: reported, no Rust panic.
export {};
throw {
  toString() {
    throw new Error("not printable");
  },
};
