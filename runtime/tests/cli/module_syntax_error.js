import "./lib/math.js";
export const x = ;
