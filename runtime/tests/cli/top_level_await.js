const value = await new Promise((resolve) => setTimeout(() => resolve("resolved"), 5));
console.log(value);
