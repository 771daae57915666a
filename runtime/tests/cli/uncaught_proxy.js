// A thrown Proxy whose every trap throws: reported, no Rust panic.
export {};
const trap = () => {
  throw new Error("trapped");
};
throw new Proxy({}, {
  get: trap,
  has: trap,
  getPrototypeOf: trap,
  ownKeys: trap,
  getOwnPropertyDescriptor: trap,
});
