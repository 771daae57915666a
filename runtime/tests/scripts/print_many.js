// Prints more than a pipe buffer holds, then a final line on stderr.
for (let i = 0; i < 20000; i++) console.log(`line ${i} of output that nobody reads`);
console.error("done");
