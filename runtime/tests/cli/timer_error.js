setTimeout(() => {
  throw new RangeError("late failure");
}, 1);
